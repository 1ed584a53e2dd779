"""Job backends: where approved requests run (in-process threads by default)."""
