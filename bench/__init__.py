"""Benchmarks: rightsdesk against a raw-SQL floor measured in the same run (``python -m bench``)."""
