"""The REST API (FastAPI): HTTP in and out only; the work is in ``service``."""
