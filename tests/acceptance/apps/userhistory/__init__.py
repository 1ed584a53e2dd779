"""Model history of Django's users with django-simple-history, as a site registers it."""
