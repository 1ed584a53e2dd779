"""What a column holds, from its values alone (pure, no database): the ``Detector`` extension
point (``detector``), its registry (``registry``), the built-in detectors (``contact``,
``identifiers``, ``person``, ``accounts``, ``credentials``, ``blobs``) with their validation hooks
(``checksums``), random tokens (``tokens``) and the column classifier (``classify``)."""
