"""The retention vault as workflows: seal held rows, read them as a legal or finance role, shred."""
