"""The ledger on a full disk, on a read-only location, and with a damaged schema text.

Each is said with its own code (``DISK_FULL``, ``READ_ONLY``, ``CORRUPT_SCHEMA``), writes
nothing, and never ends in a traceback; a read-only ledger can still be read, verified and
exported. The read-only location is real: the directory and file lose their write bits and
the commands run as an unprivileged user (root ignores permission bits, so as root the
command runs in a subprocess as ``nobody``). A full disk is SQLite's own ``SQLITE_FULL``
(``PRAGMA max_page_count``) and, where this machine lets a test mount one, a small tmpfs.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.errors import LedgerError
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.sqlite import SqliteStore
from creditbank.testing.ledger import fixed_clock
from tests.bundled import bundled_standards

STANDARDS = bundled_standards()
LEARNER = Actor(id="w-1", role="learner")
OPERATOR = Actor(id="op-1", role="bank_operator")
NOBODY = 65534


def _make(path: Path) -> None:
    with Ledger.open(path, STANDARDS, create=True, clock=fixed_clock) as ledger:
        ledger.open_account("w-1", actor=LEARNER, key="k-open")
        ledger.store.subject_key()


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# ------------------------------------------------------------------ full disk


def test_a_full_disk_is_disk_full_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bank.db"
    _make(path)
    with Ledger.open(path, clock=fixed_clock) as ledger:
        store = ledger.store
        assert isinstance(store, SqliteStore)
        (pages,) = store.execute("PRAGMA page_count")[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
        for number in range(2, 100):  # until the free room in the last pages is used up
            before = ledger.events()
            try:
                ledger.open_account(
                    f"w-{number}", actor=OPERATOR, key=f"k-{number}", note="x" * 2000
                )
            except LedgerError as error:
                assert error.code == "DISK_FULL", error
                assert "full" in error.message and "nothing was written" in error.message
                break
        else:
            raise AssertionError("the disk never filled")
        assert ledger.events() == before
        store._conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        ledger.open_account(f"w-{number}", actor=OPERATOR, key=f"k-{number}", note="x" * 2000)
        assert ledger.verify().ok


def _unshare() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare(), reason="no mount namespace here (unshare -rm)")
def test_a_real_full_disk_and_a_real_read_only_mount(tmp_path: Path) -> None:
    """On a full tmpfs a write is DISK_FULL and reads still work; on a read-only mount a
    write is READ_ONLY and verify, statement and export work."""
    full, ro = tmp_path / "full", tmp_path / "ro"
    full.mkdir()
    ro.mkdir()
    _make(ro / "bank.db")
    cli = f"{sys.executable} -m creditbank ledger --db"
    write = "open w-9 --actor w-9 --role learner --key k9"
    script = f"""
mount -t tmpfs -o size=1m tmpfs {full} || exit 99
cp {ro}/bank.db {full}/bank.db
head -c 2000000 /dev/zero > {full}/fill 2>/dev/null
for c in "{write}" verify "statement w-1" export; do
  echo "== full $c"; {cli} {full}/bank.db $c; echo "exit $?"
done
mount --bind {ro} {ro} && mount -o remount,bind,ro {ro} || exit 99
for c in "{write}" verify "statement w-1" export; do
  echo "== ro $c"; {cli} {ro}/bank.db $c; echo "exit $?"
done
"""
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "exit 70" not in out
    blocks = dict(part.split("\n", 1) for part in result.stdout.split("== ")[1:])
    assert blocks[f"full {write}"].endswith("exit 1\n")
    assert "DISK_FULL" in result.stderr
    assert "READ_ONLY" in result.stderr and "NOT_A_LEDGER" not in result.stderr
    for where in ("full", "ro"):
        assert blocks[f"{where} verify"].startswith("ok: 1 events"), blocks
        assert blocks[f"{where} verify"].endswith("exit 0\n")
        assert "w-1" in blocks[f"{where} statement w-1"]
        assert '"heads"' in blocks[f"{where} export"]
    assert blocks[f"ro {write}"].endswith("exit 1\n")


# ------------------------------------------------------------------ read-only location


@pytest.fixture
def read_only_dir() -> Iterator[Path]:
    """A directory others can enter (pytest's own are private to root), to make read-only."""
    directory = Path(tempfile.mkdtemp(prefix="creditbank-ro-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        directory.chmod(0o755)
        shutil.rmtree(directory)


_SETPRIV = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"]


def _as_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``creditbank ARGS`` as a user the permission bits bind (nobody, when run as root)."""
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits do not bind root")
    become = _SETPRIV if os.geteuid() == 0 else []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(cwd)}
    return subprocess.run(
        [*become, sys.executable, "-m", "creditbank", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def test_a_ledger_on_a_read_only_directory_reads_and_refuses_writes(read_only_dir: Path) -> None:
    path = read_only_dir / "bank.db"
    _make(path)
    path.chmod(0o444)
    read_only_dir.chmod(0o555)
    before = _files(read_only_dir)
    db = ["ledger", "--db", str(path)]
    verified = _as_unprivileged(*db, "verify", cwd=read_only_dir)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok: 1 events in 1 accounts")
    statement = _as_unprivileged(*db, "statement", "w-1", "--format", "json", cwd=read_only_dir)
    assert statement.returncode == 0 and '"account": "w-1"' in statement.stdout, statement.stderr
    exported = _as_unprivileged(*db, "export", "--events", cwd=read_only_dir)
    assert exported.returncode == 0 and exported.stdout.count("\n") == 1, exported.stderr
    for write in (
        ("open", "w-2", "--actor", "w-2", "--role", "learner", "--key", "k-2"),
        ("init",),
    ):
        refused = _as_unprivileged(*db, *write, cwd=read_only_dir)
        assert refused.returncode == 1, refused.stderr
        assert "READ_ONLY" in refused.stderr and "Traceback" not in refused.stderr
    assert _files(read_only_dir) == before


def test_a_read_only_file_in_a_writable_directory(tmp_path: Path) -> None:
    """Opened for reading, a ledger is never written; a write says READ_ONLY."""
    path = tmp_path / "bank.db"
    _make(path)
    before = path.read_bytes()
    with Ledger.open(path, read_only=True) as ledger:
        assert ledger.verify().ok and ledger.state("w-1").account == "w-1"
        with pytest.raises(LedgerError) as error:
            ledger.open_account("w-2", actor=OPERATOR, key="k-2")
        assert error.value.code == "READ_ONLY"
        with pytest.raises(LedgerError):
            ledger.rebuild_projection()
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match="read-only"):
        Ledger.open(path, read_only=True, create=True)


def test_read_only_with_a_pending_write_ahead_log_is_said(read_only_dir: Path) -> None:
    """Committed events still in the -wal need its shared memory, which a read-only
    directory cannot hold: said as READ_ONLY, never read as if they were not there."""
    path = read_only_dir / "bank.db"
    _make(path)
    holder = sqlite3.connect(path, isolation_level=None)  # keeps the -wal from a checkpoint
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("SELECT COUNT(*) FROM events").fetchone()  # open: the last to close cleans up
    try:
        with Ledger.open(path, clock=fixed_clock) as ledger:
            ledger.open_account("w-2", actor=OPERATOR, key="k-2")
        shm = Path(f"{path}-shm")
        assert Path(f"{path}-wal").stat().st_size > 0
        shm.chmod(0)
        read_only_dir.chmod(0o555)
        result = _as_unprivileged("ledger", "--db", str(path), "verify", cwd=read_only_dir)
    finally:
        read_only_dir.chmod(0o755)
        holder.close()
    if os.geteuid() != 0 and result.returncode == 0:  # this user may read the -shm after all
        assert "2 events" in result.stdout
        return
    assert result.returncode == 1, result.stdout
    assert "READ_ONLY" in result.stderr and "write-ahead log" in result.stderr


# ------------------------------------------------------------------ damaged schema text


def _edit_schema(path: Path, name: str, old: bytes, new: bytes) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.text_factory = bytes
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        assert old in sql
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE name = ?",
            (sql.replace(old, new, 1), name),
        )
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("achievements", b"NOT NULL", b"NOT \xceULL"),  # not UTF-8: was a UnicodeDecodeError
        ("claims", b"STRICT", b"STRICT`"),  # SQLite cannot parse it
        ("events_chain", b"BEGIN", b"BEGIM"),
    ],
)
def test_a_damaged_schema_text_is_corrupt_schema(
    tmp_path: Path, name: str, old: bytes, new: bytes
) -> None:
    path = tmp_path / "bank.db"
    _make(path)
    _edit_schema(path, name, old, new)
    with pytest.raises(LedgerError) as error:
        Ledger.open(path)
    assert error.value.code == "CORRUPT_SCHEMA", error.value
    assert repr(name) in error.value.message and "backup" in error.value.message
    for args in (
        ("verify",),
        ("statement", "w-1"),
        ("open", "w-2", "--actor", "w-2", "--role", "learner", "--key", "k"),
    ):
        result = CliRunner().invoke(cli, ["ledger", "--db", str(path), *args])
        assert result.exit_code == 1, (args, result.output)
        assert "CORRUPT_SCHEMA" in result.stderr and "Traceback" not in result.output


def test_a_missing_directory_is_still_not_found(tmp_path: Path) -> None:
    with pytest.raises(LedgerError) as error:
        Ledger.open(tmp_path / "no-such-dir" / "bank.db", create=True)
    assert error.value.code == "LEDGER_NOT_FOUND"


def test_the_read_only_bits_are_really_binding_for_the_unprivileged_user(
    read_only_dir: Path,
) -> None:
    """The read-only tests above prove something only if the user cannot write there."""
    marker = read_only_dir / "marker"
    marker.write_text("x", encoding="utf-8")
    marker.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    read_only_dir.chmod(0o555)
    result = _as_unprivileged(
        "ledger", "--db", str(read_only_dir / "new.db"), "init", cwd=read_only_dir
    )
    assert result.returncode == 1 and "READ_ONLY" in result.stderr, result.stderr
    assert not (read_only_dir / "new.db").exists()


def test_verify_heads_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "bank.db"
    _make(path)
    fifo = tmp_path / "heads.fifo"
    os.mkfifo(fifo)  # read_text would wait for a writer for ever
    for heads in (fifo, Path("/dev/zero")):
        if not heads.exists():
            continue
        result = CliRunner().invoke(
            cli, ["ledger", "--db", str(path), "verify", "--heads", str(heads)]
        )
        assert result.exit_code == 1 and "NOT_A_FILE" in result.output, result.output
        assert "not a regular file" in result.output


def test_an_operating_system_error_during_verify_is_not_reported_as_tampering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bank.db"
    _make(path)
    with Ledger.open(path, read_only=True) as ledger:

        def failing_read() -> None:
            raise LedgerError("LEDGER_IO_ERROR", "the disk failed")

        monkeypatch.setattr(ledger, "_verify", lambda anchors: failing_read())
        with pytest.raises(LedgerError) as error:
            ledger.verify()
        assert error.value.code == "LEDGER_IO_ERROR"


# ------------------------------------------------------------------ schema text on writes

_OPEN_W9 = ("open", "w-9", "--actor", "w-9", "--role", "learner", "--key", "k-w9")


def test_a_parsable_change_of_a_trigger_is_corrupt_schema_for_writes_not_exit_70(
    tmp_path: Path,
) -> None:
    """One changed byte in events_chain (``account_seq`` → ``account_se`` + newline) still
    parses; the write used to end in ``internal error: OperationalError`` (exit 70)."""
    path = tmp_path / "bank.db"
    _make(path)
    _edit_schema(path, "events_chain", b"account_seq", b"account_se\n")
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["ledger", "--db", str(path), *_OPEN_W9])
    assert result.exit_code == 1, result.output
    assert "CORRUPT_SCHEMA" in result.stderr and "'events_chain'" in result.stderr
    assert "internal error" not in result.output and "backup" in result.stderr
    with Ledger.open(path, STANDARDS) as ledger, pytest.raises(LedgerError) as error:
        ledger.open_account("w-8", actor=Actor(id="w-8", role="learner"), key="k-w8")
    assert error.value.code == "CORRUPT_SCHEMA"
    assert path.read_bytes() == before  # nothing written
    statement = CliRunner().invoke(cli, ["ledger", "--db", str(path), "statement", "w-1"])
    assert statement.exit_code == 0, statement.output  # reading still works


def test_an_sql_error_of_an_added_trigger_during_a_write_is_corrupt_schema(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bank.db"
    _make(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TRIGGER extra AFTER INSERT ON events BEGIN SELECT nosuch FROM heads; END")
    conn.close()
    result = CliRunner().invoke(cli, ["ledger", "--db", str(path), *_OPEN_W9])
    assert result.exit_code == 1, result.output
    assert "CORRUPT_SCHEMA" in result.stderr and "'extra'" in result.stderr
    assert "no such column" in result.stderr and "internal error" not in result.output


def _not_regular(directory: Path, kind: str) -> Path:
    """A path that exists and is not a regular file, in a directory of its own."""
    directory.mkdir()
    path = directory / "bank.db"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:  # a character device like /dev/zero, made in the temporary directory
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    return path


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
@pytest.mark.parametrize(
    "args", [("init",), ("verify",), ("statement", "w-1"), ("export",), _OPEN_W9]
)
def test_every_ledger_command_refuses_a_path_that_is_not_a_regular_file(
    tmp_path: Path, kind: str, args: tuple[str, ...]
) -> None:
    if kind == "device" and os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    path = _not_regular(tmp_path / kind, kind)
    result = CliRunner().invoke(cli, ["ledger", "--db", str(path), *args])
    assert result.exit_code == 1, result.output
    assert "NOT_A_FILE" in result.stderr and "ledger init" not in result.stderr, result.stderr
    assert [p.name for p in path.parent.iterdir()] == ["bank.db"]  # no -journal, -wal beside
    with pytest.raises(LedgerError) as error:
        SqliteStore(path, create=True)
    assert error.value.code == "NOT_A_FILE"


@pytest.mark.parametrize(
    ("text", "located"),
    [('{"a": 1}', ":1:1: MISSING_FIELD"), ('{"a":\n', ":2:1: WRONG_TYPE"), ("[]", ":1:1: ")],
)
def test_verify_heads_with_a_file_that_is_not_heads_is_a_located_error(
    tmp_path: Path, text: str, located: str
) -> None:
    """It used to exit 2 with pydantic's raw validation dump."""
    path = tmp_path / "bank.db"
    _make(path)
    heads = tmp_path / "heads.json"
    heads.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ledger", "--db", str(path), "verify", "--heads", str(heads)])
    assert result.exit_code == 1, result.output
    assert f"{heads}{located}" in result.stderr and "not a chain heads file" in result.stderr
    assert "pydantic" not in result.output and "validation error" not in result.output


def _failing_migration(self: SqliteStore) -> None:
    raise sqlite3.OperationalError("database or disk is full")


def test_a_failed_init_removes_the_stub_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk during init used to leave a 4 KiB file that every later command took for
    NOT_A_LEDGER; init again then works."""
    path = tmp_path / "bank.db"
    monkeypatch.setattr(SqliteStore, "_migrate", _failing_migration)
    with pytest.raises(LedgerError):
        Ledger.open(path, STANDARDS, create=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.undo()
    _make(path)
    assert Ledger.open(path, read_only=True).verify().ok


def test_a_failed_init_keeps_a_file_that_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bank.db"
    path.write_bytes(b"")  # an empty file given to init: not init's to remove
    monkeypatch.setattr(SqliteStore, "_migrate", _failing_migration)
    with pytest.raises(LedgerError):
        Ledger.open(path, STANDARDS, create=True)
    assert path.exists()
