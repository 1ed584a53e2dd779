"""rightsdesk: fulfil people's rights over their personal information across every data store."""

__version__ = "0.1.0"
