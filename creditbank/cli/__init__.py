"""The ``creditbank`` command: a thin layer over the library (parse, call, print).

The group (:mod:`creditbank.cli.main`) imports each command's module when the command is
named, so that starting one command does not import the libraries of all the others."""

from creditbank.cli.main import cli, main

__all__ = ["cli", "main"]
