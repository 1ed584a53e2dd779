"""Planner (data map + identities -> Plan) and runner (Plan -> results)."""
