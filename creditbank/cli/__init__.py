"""The ``creditbank`` command: a thin layer over the library (parse, call, print)."""

from creditbank.cli.evaluate import evaluate_command, whatif_command
from creditbank.cli.main import cli, main

cli.add_command(evaluate_command)
cli.add_command(whatif_command)

__all__ = ["cli", "main"]
