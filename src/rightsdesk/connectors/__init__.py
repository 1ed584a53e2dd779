"""Data stores behind one small protocol (see ``base.Connector``)."""
