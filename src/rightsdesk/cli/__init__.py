"""The command line: argument parsing and printing only; the work is in ``service``."""

from rightsdesk.cli import data, service
from rightsdesk.cli.app import EXIT_CODES, app, exit_code, main
from rightsdesk.domain.errors import RightsdeskError

__all__ = ["EXIT_CODES", "RightsdeskError", "app", "data", "exit_code", "main", "service"]
