"""Concurrent requests with one Idempotency-Key against a real ``creditbank serve`` (two
worker processes, on a loopback port), sent by N client processes at once, on SQLite and on
PostgreSQL: exactly one writes, the others replay it, and the ledger verifies."""

from __future__ import annotations

import multiprocessing
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from creditbank.ledger import Ledger
from creditbank.testing.ledger import MENU
from tests.service.ledger_world import OWN, Callers, fingerprint, post_json

N = 8
STARTUP = 180.0
"""Seconds a server may take to answer /healthz (it loads the standards in each worker; the
test machine is shared): a deadline to give up, not a measurement."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(location: str, workers: int = 2) -> Iterator[str]:
    """``creditbank serve --db LOCATION --workers N`` on a free loopback port; its base URL.
    The server (the process this started) is stopped at the end."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "creditbank",
            "serve",
            "--db",
            location,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()[0].decode("utf-8", "replace")
                raise AssertionError(f"creditbank serve did not start:\n{output}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_concurrent_processes_with_one_key_write_once(world: str, callers: Callers) -> None:
    before = fingerprint(world)
    headers = callers.headers("issuer", key="one-deposit")
    body = {"achievement": MENU["robot-operator-l4"]}
    context = multiprocessing.get_context("spawn")
    with served(world) as base, context.Manager() as manager:
        start = manager.Barrier(N)  # every client sends once all N are ready
        with ProcessPoolExecutor(N, mp_context=context) as pool:
            futures = [
                pool.submit(post_json, f"{base}/v1/accounts/{OWN}/deposits", body, headers, start)
                for _ in range(N)
            ]
            results = [future.result() for future in futures]
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 1, 200: N - 1}, results
    assert len({tuple(e["seq"] for e in receipt["events"]) for _, receipt in results}) == 1
    assert fingerprint(world)[0] == before[0] + 1
    with Ledger.open(world, read_only=True) as ledger:
        assert ledger.verify().ok
