"""Run an external implementation against the conformance dataset, case by case.

The implementation is a command: it reads one case (without ``expect``) as JSON on stdin
and writes its answer as JSON on stdout (see :func:`~creditbank.conformance.schemas.answer_schema`).
Each case runs in a fresh process with a timeout; a case fails when the command exits
non-zero, times out, writes something that is not a JSON answer, or answers differently
from what the case expects.

>>> import sys
>>> script = "import json; print(json.dumps({'decisions': [], 'totals': {'recognised': '2'}}))"
>>> dataset = Dataset({}, ({"name": "c", "expect": {"total": 2}},))
>>> [(r.name, r.passed) for r in run_dataset([sys.executable, "-c", script], dataset)]
[('c', True)]
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from creditbank.conformance.compare import compare
from creditbank.conformance.dataset import Dataset, case_input
from creditbank.conformance.jsontext import loads

__all__ = ["CaseResult", "run_case", "run_dataset", "split_command"]

_TAIL = 2000


@dataclass(frozen=True)
class CaseResult:
    """How an implementation did on one case."""

    name: str
    description: str = ""
    differences: tuple[str, ...] = ()
    error: str | None = None
    """Why no answer could be compared: exit status, timeout, not JSON."""
    seconds: float = 0.0
    answer: Any = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.error is None and not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "error": self.error,
            "differences": list(self.differences),
            "seconds": round(self.seconds, 3),
        }


def split_command(command: str | Sequence[str]) -> list[str]:
    """A command line split as a POSIX shell would (no pipes or redirections: use ``sh -c``)."""
    if isinstance(command, str):
        parts = shlex.split(command)
        if not parts:
            raise ValueError("the command is empty")
        return parts
    return list(command)


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _TAIL else "…" + text[-_TAIL:]


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop the command and whatever it started (its own process group)."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - not exercised on POSIX
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def run_case(
    command: str | Sequence[str],
    record: dict[str, Any],
    *,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
) -> CaseResult:
    """Run the command on one case and compare its answer with the case's ``expect``."""
    name = str(record.get("name", "?"))
    description = str(record.get("description", ""))
    start = time.monotonic()
    try:
        process = subprocess.Popen(
            split_command(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=os.name == "posix",
        )
    except (OSError, ValueError) as error:
        return CaseResult(name, description, error=f"cannot start the command: {error}")
    try:
        stdout, stderr = process.communicate(case_input(record).encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.communicate()
        return CaseResult(
            name,
            description,
            error=f"timed out after {timeout:g} s",
            seconds=time.monotonic() - start,
        )
    finally:
        if process.poll() is None:  # pragma: no cover - only if communicate was interrupted
            _kill(process)
    seconds = time.monotonic() - start
    err = stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        message = f"exited with status {process.returncode}"
        if err.strip():
            message += f"; stderr:\n{_tail(err)}"
        return CaseResult(name, description, error=message, seconds=seconds)
    try:
        answer = loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        out = stdout.decode("utf-8", "replace")
        message = f"the answer is not JSON ({error}); stdout:\n{_tail(out) or '(empty)'}"
        return CaseResult(name, description, error=message, seconds=seconds)
    differences = compare(record.get("expect", {}), answer)
    return CaseResult(name, description, tuple(differences), seconds=seconds, answer=answer)


def run_dataset(
    command: str | Sequence[str],
    dataset: Dataset,
    *,
    timeout: float = 30.0,
    jobs: int = 1,
    env: dict[str, str] | None = None,
    progress: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Run the command on every case of the dataset (``jobs`` at a time); results in case order.

    ``progress`` is called with each result as it comes in.
    """
    split_command(command)  # fail early on an empty command

    def one(record: dict[str, Any]) -> CaseResult:
        result = run_case(command, record, timeout=timeout, env=env)
        if progress is not None:
            progress(result)
        return result

    if jobs <= 1:
        return [one(record) for record in dataset.cases]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, dataset.cases))
