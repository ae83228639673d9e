"""Helpers for testing with creditbank: hypothesis strategies (``creditbank.testing.strategies``)."""
