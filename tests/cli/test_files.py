"""Every file the CLI reads or writes: what the operating system can do is an error, not a bug.

* every command that reads a file refuses what is not a regular file (``/dev/zero``,
  ``/dev/urandom``, a FIFO, a directory) with ``NOT_A_FILE``, never a MemoryError or a hang,
  and reads at most the size limit;
* every ``-o`` given a missing directory, a directory, ``/dev/full``, ``/dev/null``, a FIFO,
  ``/dev/stdout`` into a pipe, or a full disk answers with a code and the path, exit 1 or 2,
  never 70 — and writes nothing: an existing file is left as it was;
* temporary files are made exclusively, with a random name, beside the target: a planted
  link is never followed;
* ``batch`` on a full disk says how to resume, and resuming gives the file an uninterrupted
  run gives; a line above the portfolio size limit is a bad record, never read whole.
"""

from __future__ import annotations

import errno
import importlib
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

import creditbank
from creditbank.batch import evaluate_many, run_batch
from creditbank.cli import cli
from creditbank.errors import FileError
from creditbank.fileio import TooLong, read_bytes, read_lines, write_atomic
from creditbank.interop import import_badge_file
from creditbank.loading import Limits
from tests.paths import ROOT

PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
PROGRAM = "demo-college:460301"
DEVICES = [p for p in ("/dev/zero", "/dev/urandom") if Path(p).exists()]
linux_only = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO nobody uses. Code that opens it blocking would wait for ever; a thread opens
    its other end now and then and closes it at once, so a reader gets end-of-file and a
    writer a broken pipe: code that would hang fails the test instead of hanging it."""
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    stop = threading.Event()

    def unblock() -> None:
        while not stop.wait(0.05):
            for mode in (os.O_WRONLY, os.O_RDONLY):
                try:
                    fd = os.open(path, mode | os.O_NONBLOCK)
                except OSError:  # no reader waiting (ENXIO), or the FIFO is gone
                    continue
                os.close(fd)

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join()


@pytest.fixture
def devices(tmp_path: Path) -> list[str]:
    """Twins of /dev/null and /dev/full made in the test's own directory: a writer that
    replaced its target (as the code before the fix did) must not replace the real ones."""
    made = []
    for name, minor in (("null", 3), ("full", 7)):
        node = tmp_path / f"dev-{name}"
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        except (OSError, AttributeError):  # not root, or no device nodes here
            continue
        made.append(str(node))
    return made


def _clean(result: Result, *codes: str) -> None:
    """Exit 1 or 2 with one of ``codes``, no traceback, no internal error."""
    text = result.output
    assert result.exit_code in (1, 2), (result.exit_code, text, result.exception)
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert "Traceback" not in text and "internal error" not in text, text
    assert any(code in text for code in codes), text


def _init_ledger(db: Path) -> None:
    result = CliRunner().invoke(cli, ["ledger", "--db", str(db), "init"])
    assert result.exit_code == 0, result.output


def _records(count: int) -> list[str]:
    data = yaml.safe_load(PORTFOLIO.read_text(encoding="utf-8"))
    data.pop("kind")
    lines = []
    for number in range(count):
        data["learner"] = f"w-{number:03d}"
        lines.append(json.dumps(data, ensure_ascii=False, default=str))
    return lines


# ----------------------------------------------------------------------- reading


READERS: dict[str, list[str]] = {
    "validate": ["validate", "{}"],
    "evaluate": ["evaluate", "{}", "--program", PROGRAM],
    "whatif": ["whatif", "{}", "--program", PROGRAM],
    "query pathway": ["query", "pathway", "{}", "--program", PROGRAM],
    "export clr": ["export", "clr", "{}", "--program", PROGRAM],
    "export clr --key": ["export", "clr", str(PORTFOLIO), "--program", PROGRAM, "--key", "{}"],
    "import badge": ["import", "badge", "{}"],
    "import badge --map": ["import", "badge", str(PORTFOLIO), "--map", "{}"],
    "import case": ["import", "case", "{}"],
    "batch": ["batch", "{}", "--program", PROGRAM, "-o", "{out}", "--workers", "1"],
    "ledger verify --heads": ["ledger", "--db", "{db}", "verify", "--heads", "{}"],
}


@pytest.mark.parametrize("command", sorted(READERS))
def test_every_reader_refuses_devices_fifos_and_directories(
    command: str, tmp_path: Path, fifo: Path
) -> None:
    runner = CliRunner()
    db = tmp_path / "bank.db"
    if command.startswith("ledger"):
        _init_ledger(db)
    for target in [*DEVICES, str(fifo), str(tmp_path)]:
        args = [
            a.replace("{}", target).replace("{out}", str(tmp_path / "o.jsonl"))
            for a in READERS[command]
        ]
        args = [a.replace("{db}", str(db)) for a in args]
        result = runner.invoke(cli, args)
        if target == str(tmp_path):  # a directory: click's check, or one without standards
            _clean(result, "NOT_A_FILE", "is a directory", "NO_STANDARDS")
        else:
            _clean(result, "NOT_A_FILE")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_load_portfolio_and_the_readers_of_the_api_refuse_non_regular_files(
    fifo: Path,
) -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    for target in [*DEVICES, str(fifo)]:
        with pytest.raises(creditbank.LoadError) as caught:
            creditbank.load_portfolio(target, standards)
        assert caught.value.codes == ("NOT_A_FILE",)
        imported = import_badge_file(target, standards)
        assert imported.error is not None and imported.error.code == "NOT_A_FILE"


def test_at_most_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose stated size is small but which goes on (it grew, or the system lies) is
    read to one byte past the limit, never further."""
    path = tmp_path / "grows.yaml"
    path.write_bytes(b"x" * 10)
    asked: list[int] = []
    opened: list[int] = []

    class Endless(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            asked.append(size)
            return b"y" * max(size, 0)

        def fileno(self) -> int:
            return opened[0]

    def fdopen(fd: int, mode: str) -> Endless:
        opened.append(fd)
        return Endless()

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(FileError) as caught:
        read_bytes(path, 20)
    os.close(opened[0])
    assert caught.value.code == "FILE_TOO_LARGE" and asked == [21]
    monkeypatch.undo()
    too_big = tmp_path / "big.yaml"
    too_big.write_bytes(b"# " + b"x" * 200 + b"\n")
    with pytest.raises(creditbank.LoadError) as loaded:
        creditbank.load_portfolio(too_big, limits=Limits(max_bytes=100))
    assert loaded.value.codes == ("FILE_TOO_LARGE",)


# ----------------------------------------------------------------------- writing


def _writers(tmp_path: Path) -> dict[str, list[str]]:
    """Commands with -o: each one's arguments before the output path."""
    credential = tmp_path / "credential.json"
    if not credential.exists():
        export = CliRunner().invoke(
            cli, ["export", "clr", str(PORTFOLIO), "--program", PROGRAM, "--per-course"]
        )
        assert export.exit_code == 0, export.output
        first = json.loads(export.output)[0]
        credential.write_text(json.dumps(first), encoding="utf-8")
        (tmp_path / "issuer.txt").write_text(first["issuer"]["id"], encoding="utf-8")
        (tmp_path / "records.jsonl").write_text("\n".join(_records(3)) + "\n", encoding="utf-8")
    issuer = (tmp_path / "issuer.txt").read_text(encoding="utf-8")
    return {
        "schema KIND": ["schema", "units", "-o"],
        "schema (all)": ["schema", "-o"],
        "graph": ["graph", "--program", PROGRAM, "--format", "json", "-o"],
        "export case": ["export", "case", PROGRAM, "-o"],
        "export ctdl": ["export", "ctdl", PROGRAM, "-o"],
        "export clr": ["export", "clr", str(PORTFOLIO), "--program", PROGRAM, "-o"],
        "import badge": [
            "import",
            "badge",
            str(credential),
            "--accept-unverified",
            "--trust-issuer",
            issuer,
            "-o",
        ],
        "batch": ["batch", str(tmp_path / "records.jsonl"), "--program", PROGRAM, "-o"],
        "ledger export": ["ledger", "--db", str(tmp_path / "bank.db"), "export", "-o"],
        "conformance export": ["conformance", "export"],
    }


WRITERS = [
    "batch",
    "conformance export",
    "export case",
    "export clr",
    "export ctdl",
    "graph",
    "import badge",
    "ledger export",
    "schema (all)",
    "schema KIND",
]


@pytest.mark.parametrize("command", WRITERS)
def test_every_output_path_the_system_refuses_is_a_clean_error(
    command: str, tmp_path: Path, fifo: Path, devices: list[str]
) -> None:
    runner = CliRunner()
    args = _writers(tmp_path)[command]
    if command == "ledger export":
        _init_ledger(tmp_path / "bank.db")
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("keep me\n", encoding="utf-8")
    targets = [str(fifo), *devices]
    if command in ("schema (all)", "conformance export"):  # these write into a directory
        targets += [str(a_file), str(a_file / "below")]  # a file where a directory is wanted
    else:
        targets += [str(tmp_path / "no-such-dir" / "out.json"), str(tmp_path)]
    for target in targets:
        result = runner.invoke(cli, [*args, target])
        _clean(
            result,
            *("NOT_A_FILE", "NOT_A_DIRECTORY", "DIRECTORY_NOT_FOUND"),
            *("is a directory", "is a file"),  # click's own checks (exit 2)
        )
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert all(stat.S_ISCHR(os.stat(node).st_mode) for node in devices)
    assert a_file.read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "no-such-dir").exists()


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every temporary file written from now on is backed by /dev/full: a real ENOSPC."""
    real = tempfile.mkstemp

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, fd)
        os.close(full)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


@linux_only
@pytest.mark.parametrize("command", [w for w in WRITERS if w != "batch"])
def test_a_full_disk_is_a_clean_error_and_the_old_file_stays(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    args = _writers(tmp_path)[command]
    if command == "ledger export":
        _init_ledger(tmp_path / "bank.db")
    out = tmp_path / "out"
    if command in ("schema (all)", "conformance export"):
        out.mkdir()
        if command == "conformance export":
            assert runner.invoke(cli, ["conformance", "export", str(out)]).exit_code == 0
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    else:
        out.write_text("the old content\n", encoding="utf-8")
        before = {out: out.read_bytes()}
    _full_disk(monkeypatch)
    result = runner.invoke(cli, [*args, str(out)])
    monkeypatch.undo()
    _clean(result, "DISK_FULL")
    if command != "conformance export":  # that one first writes each case in a temporary dir
        assert str(out) in result.output
    after = (
        {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        if out.is_dir()
        else {out: out.read_bytes()}
    )
    assert after == before
    assert not list(tmp_path.rglob(".creditbank-*")), "a temporary file was left"


@linux_only
def test_dev_stdout_into_a_closed_pipe_is_a_clean_error(tmp_path: Path) -> None:
    """``-o /dev/stdout`` when standard output is a pipe whose reader has gone; the link is
    made in the test's directory (as /dev/stdout is one), so no writer can replace the real."""
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    codes = []
    for args in (["schema", "units", "-o", str(stdout)], ["schema", "units"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "creditbank", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader has gone before anything was written
        error = process.stderr.read().decode()
        code = process.wait()
        assert code not in (0, 70) and "internal error" not in error and "Traceback" not in error
        codes.append(code)
    assert codes[0] == codes[1]  # -o naming standard output is written through it, as -
    assert stdout.is_symlink()


@linux_only
def test_a_link_to_a_file_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    """As ``-o /dev/stdout`` with standard output redirected to a file: that file gets the
    output, the link stays."""
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = CliRunner().invoke(cli, ["schema", "units", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["title"]


def test_dash_is_standard_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "units", "-o", "-"])
    assert result.exit_code == 0 and json.loads(result.output)["title"]
    assert not Path("-").exists()


# ------------------------------------------------------------ nothing lost on failure


def test_a_rejected_import_leaves_the_output_untouched(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    out = tmp_path / "portfolio.yaml"
    out.write_text("kind: portfolio\nlearner: kept\nachievements: []\n", encoding="utf-8")
    before = out.read_bytes()
    result = CliRunner().invoke(cli, ["import", "badge", str(bad), "-o", str(out)])
    assert result.exit_code == 1 and "not written" in result.output
    assert out.read_bytes() == before


def test_a_planted_link_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    target = tmp_path / "units.schema.json"
    for name in ("units.schema.json.tmp", ".units.schema.json.tmp", "units.schema.tmp"):
        (tmp_path / name).symlink_to(victim)
    result = CliRunner().invoke(cli, ["schema", "units", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert json.loads(target.read_text(encoding="utf-8"))["title"]
    assert not target.is_symlink()


def test_a_non_regular_target_is_refused_not_replaced(tmp_path: Path, fifo: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "units", "-o", str(fifo)])
    _clean(result, "NOT_A_FILE")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert path.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


# ------------------------------------------------------------------------- batch


def test_batch_on_a_full_disk_says_how_to_resume_and_resuming_gives_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from creditbank.batch import run as batch

    records = tmp_path / "records.jsonl"
    records.write_text("\n".join(_records(9)) + "\n", encoding="utf-8")
    args = ["--program", PROGRAM, "--as-of", "2026-11-29", "--workers", "1", "--chunk-size", "2"]
    runner = CliRunner()
    whole = tmp_path / "whole.jsonl"
    assert runner.invoke(cli, ["batch", str(records), "-o", str(whole), *args]).exit_code == 0
    out = tmp_path / "out.jsonl"
    real = batch._write_all
    calls = []

    def fill_up(fd: int, data: bytes) -> None:
        calls.append(len(data))
        if len(calls) < 3:
            real(fd, data)
            return
        os.write(fd, data[: len(data) // 2])  # a torn line, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(batch, "_write_all", fill_up)
    stopped = runner.invoke(cli, ["batch", str(records), "-o", str(out), *args])
    monkeypatch.undo()
    _clean(stopped, "DISK_FULL")
    assert "run the same command again" in stopped.output and str(out) in stopped.output
    assert out.read_bytes() != whole.read_bytes()

    def full_at_once(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(batch, "_write_all", full_at_once)
    again = runner.invoke(cli, ["batch", str(records), "-o", str(out), *args])
    monkeypatch.undo()
    _clean(again, "DISK_FULL")  # 4 learners on disk from the first run: no count of 0
    assert "The 0 learners" not in again.output and "written completely before" in again.output
    resumed = runner.invoke(cli, ["batch", str(records), "-o", str(out), *args])
    assert resumed.exit_code == 0, resumed.output
    assert out.read_bytes() == whole.read_bytes()


def test_an_oversized_batch_line_is_a_bad_record_and_is_never_read_whole(
    tmp_path: Path,
) -> None:
    good = _records(2)
    huge = json.dumps({"learner": "huge", "achievements": [], "description": "x" * 9_000_000})
    records = tmp_path / "records.jsonl"
    records.write_text(f"{good[0]}\n{huge}\n{good[1]}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        ["batch", str(records), "--program", PROGRAM, "-o", str(out), "--workers", "1"],
    )
    assert result.exit_code == 1, result.output
    assert f"{records}:2:1: FILE_TOO_LARGE this record is {len(huge):,} bytes" in result.output
    assert "1 bad records" in result.output
    assert [json.loads(line)["learner"] for line in out.read_text().splitlines()] == [
        "w-000",
        "w-001",
    ]


def test_run_batch_and_evaluate_many_apply_the_portfolio_limit(tmp_path: Path) -> None:
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    good = _records(2)
    limit = Limits(max_bytes=max(len(r.encode()) for r in good) + 10)
    big = json.dumps({"learner": "big", "achievements": [], "description": "x" * 2000})
    results = list(evaluate_many(standards, [good[0], big, good[1]], program=PROGRAM, limits=limit))
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].problems[0].code == "FILE_TOO_LARGE"
    assert results[1].problems[0].location.line == 2
    records = tmp_path / "records.jsonl"
    records.write_text(f"{good[0]}\n{big}\n{good[1]}\n", encoding="utf-8")
    summary = run_batch(
        records,
        tmp_path / "out.jsonl",
        standards=[creditbank.bundled_standards_path()],
        program=PROGRAM,
        workers=1,
        limits=limit,
    )
    assert (summary.evaluated, summary.bad) == (2, 1)
    assert summary.problems[0].code == "FILE_TOO_LARGE"
    assert summary.problems[0].location.line == 2


class _Recording(io.BytesIO):
    """Remembers the largest piece of a line handed out at once."""

    largest = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.largest = max(self.largest, len(line))
        return line


def test_read_lines_reads_an_oversized_line_in_bounded_pieces() -> None:
    handle = _Recording(b"a\n" + b"x" * 5_000_000 + b"\nb\nc")
    lines = list(read_lines(handle, 1000))
    assert lines == [b"a\n", TooLong(5_000_000), b"b\n", b"c"]
    assert handle.largest <= 1 << 20


# ------------------------------------------------------------------ -o naming standard output


_CREDITBANK = Path(sys.executable).parent / "creditbank"


@pytest.mark.parametrize("target", ["link", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_output_naming_standard_output_is_written_through_it_not_renamed_over(
    tmp_path: Path, target: str
) -> None:
    """``schema units -o /dev/stdout >> log.txt`` used to replace log.txt (rename over the
    file stdout points to), losing what it held; it now appends through the open stdout."""
    if target == "link":
        link = tmp_path / "out"
        link.symlink_to("/proc/self/fd/1")
        target = str(link)
    elif not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    log = tmp_path / "log.txt"
    log.write_text("kept\n", encoding="utf-8")
    with log.open("ab") as appended:
        done = subprocess.run(
            [str(_CREDITBANK), "schema", "units", "-o", target],
            stdout=appended,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("kept\n{") and '"$schema"' in text
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".creditbank-")]


def test_batch_refuses_an_output_naming_standard_output(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    (tmp_path / "in.jsonl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["batch", str(tmp_path / "in.jsonl"), "--program", "460301", "-o", str(link)]
    )
    assert result.exit_code == 2 and "not -" in result.output, result.output


# ------------------------------------------------------------------ schema -o DIR


def test_schema_into_a_directory_whose_parent_is_missing_is_refused(tmp_path: Path) -> None:
    """It used to create the missing parents silently."""
    result = CliRunner().invoke(cli, ["schema", "-o", str(tmp_path / "missing" / "a" / "b")])
    assert result.exit_code == 1, result.output
    assert (
        "DIRECTORY_NOT_FOUND" in result.output and str(tmp_path / "missing" / "a") in result.output
    )
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("existing", [False, True])
def test_schema_into_a_directory_that_fails_half_way_removes_what_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    """A full disk after some files used to leave a partial set behind."""
    main = importlib.import_module("creditbank.cli.main")  # the module, not the function
    out = tmp_path / "schemas"
    if existing:
        out.mkdir()
        (out / "mine.txt").write_text("kept", encoding="utf-8")
    real = main.write_atomic
    calls = []

    def fill_up(path: Path, data: str) -> None:
        calls.append(path)
        if len(calls) > 2:
            raise FileError("DISK_FULL", "no space left on the device", str(path))
        real(path, data)

    monkeypatch.setattr(main, "write_atomic", fill_up)
    result = CliRunner().invoke(cli, ["schema", "-o", str(out)])
    assert result.exit_code == 1 and "DISK_FULL" in result.output, result.output
    assert len(calls) == 3
    if existing:
        assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    else:
        assert not out.exists()
