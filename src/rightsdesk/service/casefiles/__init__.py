"""What a case keeps besides the request: the authorised agent who submitted it (``agents``,
CCR 7063) and the signed documents attached to it, stored encrypted and erased with the case
record (``documents``; doc (f), INT-11, INT-14)."""
