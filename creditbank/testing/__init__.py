"""Helpers for testing with creditbank; hypothesis strategies are in ``.strategies``."""
