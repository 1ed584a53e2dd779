"""Telling the host platform and recipients: outbox rows written with the change, sent after."""
