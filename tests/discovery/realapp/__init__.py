"""A real application's schema (Django + django-allauth), migrated and filled for measurement."""
