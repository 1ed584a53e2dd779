"""Workflows the edges (CLI, API, web) call: the same functions for every edge.

One package per concern:

- ``requests/``: a request's life: intake, decisions, the status table, execution as jobs,
  receipts, read-only views, bulk tickets, yearly reports.
- ``workflows/``: what running an approved request does, per request type.
- ``verification/``: who is asking (one-time codes, the host's signed token) and attempt limits.
- ``consent/``: the consent ledger, grants and withdrawals, and what they set off.
- ``deliveries/``: telling the host platform and recipients (outbox rows, one attempt, webhooks).
- ``retention/``: the retention vault as workflows (seal, read by role, shred).
- ``runtime/``: the ``Services`` object and its wiring, connections, limits, leases, checkpoints.
"""
