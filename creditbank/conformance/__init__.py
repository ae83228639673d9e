"""The conformance suite: creditbank's golden cases as a dataset other implementations run.

* :mod:`~creditbank.conformance.golden` — the golden-case format (YAML, read strictly);
* :mod:`~creditbank.conformance.resolve` — a case's standards and portfolio, loaded;
* :mod:`~creditbank.conformance.compare` — what a case expects against an answer;
* :mod:`~creditbank.conformance.dataset` — the exported JSON dataset (export, load);
* :mod:`~creditbank.conformance.schemas` — JSON Schemas of cases, answers and the manifest;
* :mod:`~creditbank.conformance.runner` — run a command on every case;
* :mod:`~creditbank.conformance.adapter` — creditbank itself behind that protocol.

>>> import sys
>>> from creditbank.conformance import golden_dataset, run_dataset
>>> dataset = golden_dataset(names=["partial_credit"])
>>> dataset.manifest["format"], [case["name"] for case in dataset.cases]
('creditbank.conformance/1', ['partial_credit'])
>>> adapter = [sys.executable, "-m", "creditbank.conformance.adapter"]
>>> [(result.name, result.passed) for result in run_dataset(adapter, dataset)]
[('partial_credit', True)]
"""

from creditbank.conformance.compare import answer_of, compare, summary
from creditbank.conformance.dataset import (
    CASE_FORMAT,
    DATASET_FORMAT,
    Dataset,
    case_input,
    case_record,
    export_dataset,
    golden_dataset,
    load_dataset,
)
from creditbank.conformance.golden import (
    FORMS,
    Case,
    CaseError,
    golden_cases_path,
    read_case,
    read_cases,
)
from creditbank.conformance.resolve import load_case_portfolio, load_case_standards
from creditbank.conformance.runner import CaseResult, run_case, run_dataset
from creditbank.conformance.schemas import answer_schema, case_schema, manifest_schema

__all__ = [
    "CASE_FORMAT",
    "DATASET_FORMAT",
    "FORMS",
    "Case",
    "CaseError",
    "CaseResult",
    "Dataset",
    "answer_of",
    "answer_schema",
    "case_input",
    "case_record",
    "case_schema",
    "compare",
    "export_dataset",
    "golden_cases_path",
    "golden_dataset",
    "load_case_portfolio",
    "load_case_standards",
    "load_dataset",
    "manifest_schema",
    "read_case",
    "read_cases",
    "run_case",
    "run_dataset",
    "summary",
]
