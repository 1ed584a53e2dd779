"""One workflow object per request type, registered in one table.

``base`` defines the hooks every type has (check at intake, after verification, on approval,
run, a job aside, finish); ``table.workflow(type)`` is how intake, decisions and execution
reach them. Start with ``deletion`` to follow one request type end to end.
"""
