"""The ``creditbank`` command: a thin layer over the library (parse, call, print)."""

from creditbank.cli.batch import batch_command
from creditbank.cli.conformance import conformance_group
from creditbank.cli.eligibility import eligibility_command
from creditbank.cli.evaluate import evaluate_command, whatif_command
from creditbank.cli.graph import check_command, graph_command, query_group
from creditbank.cli.interop import export_group, import_group
from creditbank.cli.ledger import ledger_group
from creditbank.cli.main import cli, main
from creditbank.cli.serve import serve_command
from creditbank.cli.tokens import token_group

cli.add_command(evaluate_command)
cli.add_command(whatif_command)
cli.add_command(eligibility_command)
cli.add_command(graph_command)
cli.add_command(query_group)
cli.add_command(check_command)
cli.add_command(import_group)
cli.add_command(export_group)
ledger_group.add_command(token_group)
cli.add_command(ledger_group)
cli.add_command(conformance_group)
cli.add_command(batch_command)
cli.add_command(serve_command)

__all__ = ["cli", "main"]
