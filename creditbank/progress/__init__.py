"""Progress against the action's targets (``creditbank report``, issue 19 item 5).

Modules, one job each: :mod:`~creditbank.progress.targets` (reading a targets file),
:mod:`~creditbank.progress.tally` (one learner's figures and the counts they add up to,
with bounded memory), :mod:`~creditbank.progress.report` (rows per programme or region and
every target measured: the ``creditbank.report/1`` JSON), :mod:`~creditbank.progress.notes`
(what a target's notes mean, zh and en), :mod:`~creditbank.progress.batch` (batch
results joined to their input, learner by learner).
"""

from creditbank.progress.report import (
    ProgressReport,
    batch_report,
    ledger_report,
    measure,
    tally_accounts,
)
from creditbank.progress.targets import bundled_targets_path, load_targets

__all__ = [
    "ProgressReport",
    "batch_report",
    "bundled_targets_path",
    "ledger_report",
    "load_targets",
    "measure",
    "tally_accounts",
]
