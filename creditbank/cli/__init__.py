"""The ``creditbank`` command: a thin layer over the library (parse, call, print)."""

from creditbank.cli.main import cli, main

__all__ = ["cli", "main"]
