"""Draft a data map from a live store (``generate``, the entry): what it asserts (``proposal``),
who the people are (``people``), references between columns (``references``), who owns which
rows (``owners``, ``unowned``, ``limits``), secrets and copies (``linked``, ``copies``), blobs
(``blobmap``), the map itself (``draft``) and its YAML (``render``)."""
