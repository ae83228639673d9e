# ruff: noqa: PLC0415 - the PostgreSQL stage imports the test suite's server only when it runs
"""What HTTP costs over in-process evaluation, and ledger deposits per second on SQLite and
PostgreSQL (issue 17 item 8).

Run ``python benchmarks/serve.py`` (``--quick`` for a short run; ``--pg postgresql://...`` to
use a running server instead of starting the test suite's throwaway one,
``tests/pg_server.py``). Nothing is asserted; the issue's goal (HTTP costs at most 25 % over
in-process) is printed beside the figures.

The work: every example portfolio (``examples/portfolios``) against every bundled programme,
in turn, sent as ``creditbank evaluate`` reads it, YAML text (``portfolio_text``), and
answered with the ``creditbank.evaluation/1`` document.

Stages:

=============  ==============================================================================
in-process     what one request's handler does, called directly: ``load_portfolio_text``,
               ``evaluate``, ``Evaluation.to_json`` (and ``evaluate`` alone, for the share
               of each)
asgi           the application called as its server calls it (an ASGI scope, the body,
               the response collected) with no server and no socket: the framework's cost
               (FastAPI, pydantic request model, the request limits) over in-process
best of        per body, the best of ``--repeat`` interleaved CPU times of the library's
               work, of the application, and of the application with FastAPI's thread pool
               replaced by a direct call (what the hops to the pool cost): the figures least
               disturbed by a shared machine
http, 1 client  ``creditbank serve --workers 2`` on a free loopback port (a subprocess),
               one client sending one request at a time on a kept-alive connection:
               latency p50/p99, and the mean against in-process (the issue's ratio)
http, N        ``--clients`` client processes at once (each a kept-alive connection):
               evaluations per second of the two workers, p50/p99 latency under load
deposits       ``Ledger.deposit`` of the bundled example achievements, one writer, into
               accounts of ``--per-account`` deposits each, on a SQLite file (synchronous
               FULL, as ``creditbank serve --db FILE`` opens it) and on PostgreSQL
=============  ==============================================================================

Clients use ``http.client`` (the standard library, no pooling layer) so the client's own cost
stays small; on a machine of 2 cores the clients still share them with the two workers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import multiprocessing
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import creditbank  # noqa: E402

AS_OF = "2026-06-30"
GOAL = 1.25
"""Issue 17: a request over HTTP costs at most 25 % more than the same work in-process."""


def work(standards: creditbank.Standards) -> list[dict[str, str]]:
    """The request bodies: every example portfolio against every programme."""
    portfolios = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
    return [
        {"portfolio_text": path.read_text(encoding="utf-8"), "program": program, "as_of": AS_OF}
        for path in portfolios
        for program in standards.programs
    ]


class Timing:
    """Wall-clock and CPU seconds of a block; CPU time counts what this machine's other
    work does not (it is shared), so ratios are given on both."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0


@contextmanager
def timing(pids: tuple[int, ...] = ()) -> Iterator[Timing]:
    """Time the block: wall clock, and the CPU time of this process (or of the process
    trees of ``pids`` instead)."""
    timed = Timing()

    def cpu() -> float:
        return sum(map(_tree_cpu, pids)) if pids else time.process_time()

    wall, used = time.perf_counter(), cpu()
    yield timed
    timed.wall, timed.cpu = time.perf_counter() - wall, cpu() - used


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its live descendants (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {pid}, True
    while grown:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(times.get(p, 0.0) for p in tree)


def _load() -> str:
    """The 1, 5 and 15 minute load averages, for the record beside the figures."""
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _ratio(timed: Timing, base: Timing) -> str:
    """Against in-process: wall time per request, and CPU time per request."""
    return f"  {timed.wall / base.wall:4.2f}x wall, {timed.cpu / base.cpu:4.2f}x CPU"


def _row(name: str, count: int, timed: Timing, latencies: list[float] | None = None) -> str:
    line = f"{name:<34} {count:>6,} in {timed.wall:6.2f} s {count / timed.wall:6,.0f}/s"
    line += f" {timed.wall / count * 1e6:7,.0f} µs each, CPU {timed.cpu / count * 1e6:7,.0f} µs"
    if latencies:
        p50 = _percentile(latencies, 0.5) * 1e6
        p99 = _percentile(latencies, 0.99) * 1e6
        line += f", p50 {p50:,.0f} µs, p99 {p99:,.0f} µs"
    return line


# ------------------------------------------------------------------------ in-process


def in_process(
    standards: creditbank.Standards, bodies: list[dict[str, str]], count: int
) -> tuple[Timing, Timing]:
    """``count`` requests' work in-process, and their ``evaluate`` alone."""
    day = dt.date.fromisoformat(AS_OF)
    loaded = [
        (creditbank.load_portfolio_text(b["portfolio_text"], standards), b["program"])
        for b in bodies
    ]
    for portfolio, program in loaded:  # warm the engine's memos of each programme
        creditbank.evaluate(standards, portfolio, program, day).to_json(indent=None)
    with timing() as whole:
        for i in range(count):
            body = bodies[i % len(bodies)]
            portfolio = creditbank.load_portfolio_text(body["portfolio_text"], standards)
            creditbank.evaluate(standards, portfolio, body["program"], day).to_json(indent=None)
    with timing() as alone:
        for i in range(count):
            portfolio, program = loaded[i % len(loaded)]
            creditbank.evaluate(standards, portfolio, program, day)
    return whole, alone


async def _asgi_call(app: Any, body: bytes) -> int:
    """POST ``body`` to /v1/evaluations of ``app`` as a server would; the status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/evaluations",
        "raw_path": b"/v1/evaluations",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _service(standards: creditbank.Standards) -> Any:
    from creditbank.service import ServiceConfig, create_app

    return create_app(ServiceConfig(), standards=standards)


def asgi(standards: creditbank.Standards, bodies: list[dict[str, str]], count: int) -> Timing:
    """``count`` requests through the application, without a server."""
    app = _service(standards)
    encoded = [json.dumps(b).encode() for b in bodies]

    async def run() -> Timing:
        for body in encoded:  # warm-up, and a check that the route exists
            status = await _asgi_call(app, body)
            if status != 200:
                raise SystemExit(f"POST /v1/evaluations answered {status} in process")
        with timing() as timed:
            for i in range(count):
                await _asgi_call(app, encoded[i % len(encoded)])
        return timed

    return asyncio.run(run())


@contextmanager
def _no_thread_pool() -> Iterator[None]:
    """FastAPI runs plain-function dependencies and handlers on the event loop itself, not
    on its thread pool (a measuring device: what the hops to the pool cost)."""
    import fastapi.dependencies.utils
    import fastapi.routing

    async def direct(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    modules, name = (fastapi.routing, fastapi.dependencies.utils), "run_in_threadpool"
    saved = [getattr(module, name) for module in modules]
    for module in modules:
        setattr(module, name, direct)
    try:
        yield
    finally:
        for module, function in zip(modules, saved, strict=True):
            setattr(module, name, function)


def best_of(
    standards: creditbank.Standards, bodies: list[dict[str, str]], repeat: int
) -> dict[str, float]:
    """Per request, the best of ``repeat`` CPU times of each body (interleaved, so a burst
    of the machine's other work hits every variant alike), summed over the bodies: the
    library's work, the application, and the application without its thread pool.

    CPU time (``time.process_time``: every thread of this process), not wall time: on a
    shared machine the best wall time of a few repeats still carries other sessions' work,
    and the comparison is of the work each variant does."""
    day = dt.date.fromisoformat(AS_OF)
    app = _service(standards)
    encoded = [json.dumps(b).encode() for b in bodies]

    def library(body: dict[str, str]) -> None:
        portfolio = creditbank.load_portfolio_text(body["portfolio_text"], standards)
        creditbank.evaluate(standards, portfolio, body["program"], day).to_json(indent=None)

    async def clocked(body: bytes) -> float:
        start = time.process_time()
        await _asgi_call(app, body)
        return time.process_time() - start

    async def run() -> dict[str, float]:
        best = {"library": 0.0, "asgi": 0.0, "asgi, no thread pool": 0.0}
        for body, raw in zip(bodies, encoded, strict=True):
            times: dict[str, list[float]] = {name: [] for name in best}
            for _ in range(repeat):
                start = time.process_time()
                library(body)
                times["library"].append(time.process_time() - start)
                times["asgi"].append(await clocked(raw))
                with _no_thread_pool():
                    times["asgi, no thread pool"].append(await clocked(raw))
            for name, samples in times.items():
                best[name] += min(samples) / len(bodies)
        return best

    return asyncio.run(run())


# ------------------------------------------------------------------------------ HTTP


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(workers: int, db: str | None) -> Iterator[tuple[int, int]]:
    """``creditbank serve --workers N`` on a free loopback port, until the block ends: the
    port and the server's process id."""
    port = _free_port()
    command = [sys.executable, "-m", "creditbank", "serve", "--port", str(port)]
    command += ["--workers", str(workers)] + (["--db", db] if db else [])
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    raise SystemExit(f"creditbank serve did not start:\n{error}") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client(port: int, bodies: list[bytes], count: int, offset: int) -> list[float]:
    """One client: ``count`` requests on one kept-alive connection; each one's latency."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json"}
    latencies = []
    for i in range(count):
        body = bodies[(offset + i) % len(bodies)]
        start = time.perf_counter()
        connection.request("POST", "/v1/evaluations", body, headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"POST /v1/evaluations answered {response.status}")
    connection.close()
    return latencies


def _client_task(args: tuple[int, list[bytes], int, int]) -> list[float]:
    return _client(*args)


def over_http(
    server: tuple[int, int], bodies: list[dict[str, str]], count: int, clients: int
) -> tuple[Timing, list[float]]:
    """``count`` requests from ``clients`` client processes (CPU: the server's process tree),
    and each one's latency."""
    port, pid = server
    encoded = [json.dumps(b).encode() for b in bodies]
    share = count // clients
    if clients == 1:
        with timing((pid,)) as timed:
            latencies = _client(port, encoded, share, 0)
        return timed, latencies
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(_client_task, [(port, encoded, len(encoded), c) for c in range(clients)])  # warm
        with timing((pid,)) as timed:
            parts = pool.map(_client_task, [(port, encoded, share, c * 7) for c in range(clients)])
    return timed, [latency for part in parts for latency in part]


# --------------------------------------------------------------------------- ledger


def deposits(url: str, standards: creditbank.Standards, count: int, per_account: int) -> Timing:
    """``count`` deposits by one writer into accounts of ``per_account`` each (CPU: this
    process only, not the database server's)."""
    from creditbank.ledger import Ledger
    from creditbank.testing.ledger import MENU, OPERATOR, fixed_clock, issuer_of

    menu = list(MENU.values())
    with Ledger.open(url, standards, create=True, clock=fixed_clock) as ledger:
        accounts = (count + per_account - 1) // per_account
        for a in range(accounts):
            ledger.open_account(f"bench-{a:06d}", actor=OPERATOR, key=f"open-{a}")
        with timing() as timed:
            for i in range(count):
                account = f"bench-{i // per_account:06d}"
                achievement = {**menu[i % len(menu)], "id": f"a-{i}"}
                ledger.deposit(account, achievement, actor=issuer_of(achievement), key=f"dep-{i}")
        return timed


@contextmanager
def postgres(given: str | None) -> Iterator[tuple[str, str]]:
    """A fresh database (its URL) and what it runs on."""
    if given:
        yield given, "the server given (--pg)"
        return
    from tests.pg_server import start_server

    server = start_server()
    try:
        yield server.new_database("bench"), "tests/pg_server.py (fsync=off, synchronous_commit=off)"
    finally:
        server.stop()


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    parser.add_argument("--requests", type=int, default=4000, help="evaluations per stage")
    parser.add_argument("--clients", type=int, default=4, help="client processes at once")
    parser.add_argument("--workers", type=int, default=2, help="creditbank serve --workers")
    parser.add_argument("--deposits", type=int, default=2000, help="deposits per backend")
    parser.add_argument("--per-account", type=int, default=10, help="deposits per account")
    parser.add_argument("--repeat", type=int, default=20, help="repeats for the best-of stage")
    parser.add_argument("--pg", metavar="URL", help="a postgresql:// database to use")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.deposits, args.repeat = 200, 100, 3
    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    bodies = work(standards)
    count = args.requests
    print(
        f"creditbank {creditbank.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores; {len(bodies)} portfolio x programme bodies, in turn; "
        f"load average {_load()} (a shared machine: CPU ratios mean more than wall ones)",
        flush=True,
    )
    whole, evaluate_only = in_process(standards, bodies, count)
    print(_row("in-process (load+evaluate+json)", count, whole))
    print(_row("in-process, evaluate alone", count, evaluate_only))
    through_app = asgi(standards, bodies, count)
    print(_row("asgi, no server", count, through_app) + _ratio(through_app, whole))
    best = best_of(standards, bodies, args.repeat)
    for name, seconds in best.items():
        print(
            f"best of {args.repeat}, {name:<24} {seconds * 1e6:7,.0f} µs CPU per request"
            f"  {seconds / best['library']:4.2f}x the library's"
        )
    with served(args.workers, None) as server:
        for _ in range(args.workers * 2):  # warm both workers' memos
            over_http(server, bodies, len(bodies), 1)
        # Each HTTP stage against the in-process work timed just before it, not the first
        # stage's: on a shared machine the load changes within minutes, and CPU time per
        # request moves with it (caches, frequency), so only neighbours compare.
        for clients in (1, args.clients):
            base = in_process(standards, bodies, count)[0]
            timed, latencies = over_http(server, bodies, count, clients)
            name = f"http, {clients} client{'s' if clients > 1 else ''}, {args.workers} workers"
            print(_row("  in-process just before", count, base))
            print(_row(name, count, timed, latencies) + _ratio(timed, base))
    print(f"goal of issue 17: a request over HTTP costs <= {GOAL:.2f}x in-process")
    print(f"load average {_load()}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_url = str(Path(scratch) / "bench.db")
        timed = deposits(sqlite_url, standards, args.deposits, args.per_account)
        print(_row("deposits, SQLite (FULL)", args.deposits, timed))
    if args.no_pg:
        return
    try:
        with postgres(args.pg) as (url, what):
            timed = deposits(url, standards, args.deposits, args.per_account)
            print(_row("deposits, PostgreSQL", args.deposits, timed) + f"  ({what})")
    except RuntimeError as error:  # no server programs: say so, as the tests do
        print(f"deposits, PostgreSQL: skipped ({error})")


if __name__ == "__main__":
    main()
