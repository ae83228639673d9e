"""Every shell and Python example of README.md and docs/ runs, and prints what it shows.

Each page runs in a temporary copy of ``examples/``, ``standards/`` and ``docs/`` with this
interpreter's scripts (the ``creditbank`` command) first on PATH; the blocks of one page run in
order in that directory, so a file a block writes (``<!-- file: PATH -->``) is there for the
next. ``tests/docs_examples.py`` says how each kind of block is run and which markers there are;
a block opts out only with ``<!-- no-test: REASON -->``. A page's service walkthrough (blocks
marked ``<!-- service: … -->``) runs as one bash session against the ``creditbank serve`` it
starts, on each ledger backend (:func:`test_the_service_walkthrough_runs`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import LedgerBackend
from tests.docs_examples import (
    OUTPUTS,
    RUN,
    Block,
    blocks,
    console_steps,
    service_script,
    service_steps,
)
from tests.paths import ROOT

PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")], key=lambda p: str(p.relative_to(ROOT))
)
COPIED = ("examples", "standards", "docs")
TIMEOUT = 600  # a hung example fails instead of hanging the suite


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _environment(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDITBANK_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CREDITBANK_CACHE_DIR"] = str(cache)
    env["COLUMNS"] = "200"  # tables unwrapped, so shown lines can be found in the output
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _exits(block: Block, count: int) -> list[int]:
    """The exit code each command of the block must give (``<!-- exit: N [N …] -->``)."""
    codes = [int(c) for c in block.markers.get("exit", "0").split()]
    return codes * count if len(codes) == 1 else codes


def _check(block: Block, where: str, work: Path, env: dict[str, str]) -> None:
    if "excerpt-of" in block.markers:
        source = (ROOT / block.markers["excerpt-of"]).read_text(encoding="utf-8")
        assert block.text in source, f"{where}: not an excerpt of {block.markers['excerpt-of']}"
    if "file" in block.markers:
        path = work / block.markers["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.text, encoding="utf-8")
        return
    if block.lang not in RUN:
        return
    if block.lang == "python":
        script = work / f"_example_{block.line}.py"
        script.write_text(block.text, encoding="utf-8")
        steps = [([sys.executable, script.name], block.text, [])]
    elif block.lang == "sh":
        steps = [(["bash", "-euo", "pipefail", "-c", block.text], block.text, [])]
    else:
        steps = [
            (["bash", "-o", "pipefail", "-c", cmd], cmd, shown)
            for cmd, shown in console_steps(block.text)
        ]
        assert steps, f"{where}: a console block without a `$ command` (make it ```text)"
    for (command, text, shown), code in zip(steps, _exits(block, len(steps)), strict=True):
        done = _run(command, work, env)
        printed = done.stdout + done.stderr
        assert done.returncode == code, (
            f"{where}: `{text.strip()}` exited {done.returncode}, not {code}:\n{printed}"
        )
        assert "Traceback" not in printed or block.lang == "python", f"{where}:\n{printed}"
        _find_shown(shown, printed, f"{where}: `{text.strip()}`")


def _find_shown(shown: list[str], printed: str, what: str) -> None:
    for line in shown:
        # a shown line is found in what was printed; "…" stands for what is left out, and
        # the parts around it are found in their order
        at = 0
        for piece in line.split("…"):
            found = _squeeze(printed).find(_squeeze(piece), at)
            assert found >= 0, f"{what} did not print {piece.strip()!r}; it printed:\n{printed}"
            at = found + len(_squeeze(piece))


def _work(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    for name in COPIED:
        shutil.copytree(ROOT / name, work / name)
    return work


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_of_the_page_runs(
    page: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = _work(tmp_path)
    env = _environment(tmp_path_factory.getbasetemp() / "creditbank-cache")
    relative = page.relative_to(ROOT)
    for block in blocks(page.read_text(encoding="utf-8")):
        if "service" in block.markers:
            continue  # a step of the service walkthrough: test_the_service_walkthrough_runs
        if "no-test" in block.markers:
            assert len(block.markers["no-test"].split()) >= 3, (
                f"{relative}:{block.line}: say why the example is not tested"
            )
            continue
        _check(block, f"{relative}:{block.line}", work, env)


SERVICE_PAGES = [p for p in PAGES if service_steps(p.read_text(encoding="utf-8"))]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop_group(group: int) -> None:
    """Stop every process the walkthrough left running (the service it started): SIGTERM,
    then SIGKILL to what is still there after a while."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, sent)
        for _ in range(100):
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def run_walkthrough(script: str, work: Path, env: dict[str, str]) -> tuple[int | None, str]:
    """Run a walkthrough script in its own process group, output to a file (a service left in
    the background would hold a pipe open), and stop whatever it started; (exit code or None
    on a timeout, what it printed)."""
    log = work / "_walkthrough.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code: int | None = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _stop_group(process.pid)
            process.wait()
    return code, log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("page", SERVICE_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_service_walkthrough_runs(
    page: Path,
    ledger_backend: LedgerBackend,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The page's curl walkthrough, as a reader pastes it, against a real `creditbank serve`
    on a free loopback port, on a new SQLite and a new PostgreSQL ledger: every step's
    command succeeds (curl --fail-with-body fails on an HTTP error status)."""
    if shutil.which("curl") is None:
        if os.environ.get("CI"):
            pytest.fail("CI: the service walkthroughs need curl (.ci/run installs it)")
        pytest.skip("the service walkthroughs need curl: install it (apt-get install curl)")
    work = _work(tmp_path)
    env = _environment(tmp_path_factory.getbasetemp() / "creditbank-cache")
    relative = str(page.relative_to(ROOT))
    steps = service_steps(page.read_text(encoding="utf-8"))
    assert [s.markers["service"] for s in steps][:1] == ["settings"], (
        f"{relative}: a walkthrough starts with its settings block"
    )
    settings = {"DB": ledger_backend.new(), "PORT": str(_free_port())}
    walkthrough = service_script(relative, steps, settings)
    code, printed = run_walkthrough(walkthrough.script, work, env)
    served = work / "serve.log"
    server_log = served.read_text(encoding="utf-8", errors="replace") if served.exists() else ""
    failed = re.search(r"walkthrough: the step at (\S+) failed", printed)
    if code and failed and failed[1] in walkthrough.pending:
        pytest.xfail(f"{failed[1]} is marked pending: {walkthrough.pending[failed[1]]}")
    assert not (code == 0 and walkthrough.pending), (
        f"{relative}: the steps marked service-pending pass now: remove their markers "
        f"({', '.join(walkthrough.pending)})"
    )
    assert code == 0, (
        f"{relative} on {ledger_backend.name}: the walkthrough "
        f"{'timed out' if code is None else f'exited {code}'}:\n{printed}\n"
        f"--- serve.log:\n{server_log[-4000:]}"
    )
    assert "Traceback" not in printed + server_log, f"{printed}\n{server_log}"
    for number, (where, command, shown) in enumerate(walkthrough.shown):
        output = (work / OUTPUTS / str(number)).read_text(encoding="utf-8")
        _find_shown(shown, output, f"{where} on {ledger_backend.name}: `{command}`")


def test_a_failing_walkthrough_step_is_named(tmp_path: Path) -> None:
    page = (
        "<!-- service: settings -->\n```sh\nDB=bank.db\nPORT=8000\n```\n\n"
        "<!-- service: step -->\n```sh\nGREETING=hello\n```\n\n"
        "<!-- service: step -->\n```console\n"
        '$ WHO=world; echo "$GREETING $DB $PORT"\nhello\n```\n\n'
        '<!-- service: step -->\n```sh\necho "$WHO"\nfalse\necho after\n```\n'
    )
    walkthrough = service_script("page.md", service_steps(page), {"DB": "x y.db", "PORT": "1"})
    code, printed = run_walkthrough(walkthrough.script, tmp_path, dict(os.environ))
    assert code == 1
    # a variable set by one step, sh or console, is seen by the next
    assert "hello x y.db 1\nworld\n" in printed
    assert "walkthrough: the step at page.md:19 failed (exit 1): false" in printed
    assert "after" not in printed
    assert walkthrough.shown == [("page.md:13", 'WHO=world; echo "$GREETING $DB $PORT"', ["hello"])]
    assert (tmp_path / OUTPUTS / "0").read_text() == "hello x y.db 1\n"
    # what a failing console command printed is shown, with the step
    failing = page.replace("$ WHO=world;", "$ WHO=world; echo shown; false;")
    walkthrough = service_script("page.md", service_steps(failing), {"DB": "", "PORT": ""})
    code, printed = run_walkthrough(walkthrough.script, tmp_path, dict(os.environ))
    assert (code, printed) == (
        1,
        "shown\nwalkthrough: the step at page.md:13 failed (exit 1): false\n",
    )
    with pytest.raises(AssertionError, match=r"sets \('DB', 'PORT'\) only"):
        service_script("page.md", service_steps(page.replace("PORT=", "HOST=")), {})


def test_the_markers_are_read() -> None:
    page = (
        "<!-- file: a/b.yaml -->\n```yaml\nkind: rules\n```\n\n"
        "<!-- no-test: needs a running server -->\n<!-- exit: 1 -->\n"
        "  ```console\n  $ creditbank x\n  out\n  ```\n"
    )
    first, second = blocks(page)
    assert (first.lang, first.text, first.markers) == (
        "yaml",
        "kind: rules\n",
        {"file": "a/b.yaml"},
    )
    assert second.markers == {"exit": "1", "no-test": "needs a running server"}
    assert console_steps(second.text) == [("creditbank x", ["out"])]


def test_a_wrong_output_fails(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    env = _environment(tmp_path_factory.getbasetemp() / "creditbank-cache")
    good = Block("console", "$ echo hello   world\nhello world\n", 1)
    _check(good, "page.md:1", tmp_path, env)
    with pytest.raises(AssertionError, match="did not print 'goodbye'"):
        _check(Block("console", "$ echo hello\ngoodbye\n", 1), "page.md:1", tmp_path, env)
    with pytest.raises(AssertionError, match="did not print 'hello'"):
        _check(
            Block("console", "$ echo hello world\nworld … hello\n", 1), "page.md:1", tmp_path, env
        )
    with pytest.raises(AssertionError, match="exited 3, not 0"):
        _check(Block("sh", "exit 3\n", 1), "page.md:1", tmp_path, env)


def test_the_design_sections_the_code_cites_exist() -> None:
    """Comments cite sections of docs/design.md (no longer a "DESIGN.md section 3" that is
    not in the repository): each cited heading is there."""
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for heading in ("What the rules must be able to say", "Built-in constraints"):
        assert f"# {heading}\n" in design
    sources = [*(ROOT / "creditbank").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    stale = [str(p) for p in sources if "DESIGN.md section" in p.read_text(encoding="utf-8")]
    assert stale == [p for p in stale if p.endswith("test_docs_examples.py")]


def test_every_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    pages = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    assert [p for p in pages if p != "index.md" and f"]({p})" not in index] == []


LINK = re.compile(r"\]\((?P<target>[^)\s#]*)(?:#(?P<anchor>[^)\s]*))?\)")


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings (mkdocs gives the same to ASCII ones)."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_relative_link_leads_to_a_file_and_heading() -> None:
    broken = []
    for page in PAGES:
        for match in LINK.finditer(page.read_text(encoding="utf-8")):
            target, anchor = match["target"], match["anchor"]
            if "://" in target or (not target and not anchor):
                continue
            linked = (page.parent / target) if target else page
            if not linked.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.relative_to(ROOT)}: {target}#{anchor}")
    assert broken == []


REPO_PATH = re.compile(
    r"`(?:python )?(?P<path>(?:creditbank|tests|benchmarks|standards|examples|docs)/[^`\s:]*)"
)


def test_every_repository_path_the_pages_name_exists() -> None:
    """A file moved (a module split, the golden cases moved) leaves no page pointing at it."""
    missing = []
    for page in PAGES:
        for match in REPO_PATH.finditer(page.read_text(encoding="utf-8")):
            path = ROOT / match["path"].rstrip("/.,")
            if not (path.exists() or path.with_suffix(".py").exists()):
                missing.append(f"{page.relative_to(ROOT)}: {match['path']}")
    assert missing == []
