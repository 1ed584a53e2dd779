"""An embedded demo cloud platform (accounts and billing in two databases) and its data map."""
