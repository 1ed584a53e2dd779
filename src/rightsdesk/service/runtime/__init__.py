"""The ``Services`` object every workflow gets, its wiring from settings, and shared machinery.

``context`` defines ``Services`` and the unit of work; ``wiring`` builds it at the edge.
Connections, per-system limits and throttles, timing, leases, checkpoints, operators' keys,
generated key files and direct engine runs (``runs``) live here too.
"""
