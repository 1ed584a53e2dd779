"""A request's life: taken in, decided, moved through the one status table, run as a job, receipted.

``intake`` takes a request in, ``decisions`` approves, refuses or extends it, ``lifecycle`` is
the one place its status changes, ``execution`` runs it through the engine and finishes it with
a signed receipt (``receipts``). ``views`` is what the edges read; ``actions`` is what a person
or an operator may do to one request; ``tickets`` and ``reports`` work on many at once.
"""
