"""Erasure (masking) strategies: one small base class and one registry (see ``base``)."""
