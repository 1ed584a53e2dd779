"""Workflows the edges (CLI, API, web) call: the same functions for every edge."""
