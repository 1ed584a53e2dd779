"""What running an approved request does, per request type (access, delete, correct, cancel)."""
