"""Read the fenced examples of a Markdown page, with the markers that say how to test them.

A block is tested by its language: ``sh`` runs as one bash script, ``console`` runs each
``$ command`` line and checks that the lines shown under it appear in what it printed,
``python`` runs as a script. Other blocks (``yaml``, ``json``, ``text``) are not run. HTML
comments on the lines just above a block are its markers:

- ``<!-- file: PATH -->`` writes the block to PATH in the page's work directory first, so
  later examples of the page can use it (a rule file, a learners file …);
- ``<!-- excerpt-of: PATH -->`` checks the block is a verbatim excerpt of that repository file;
- ``<!-- exit: N -->`` expects every command of the block to exit N (default 0);
- ``<!-- no-test: REASON -->`` skips the block; the reason is shown, so it must be real;
- ``<!-- service: step -->`` makes the block a step of the page's *service walkthrough*
  (``sh`` only): the page's steps run in order in one bash session, so a variable a step
  sets (``$BASE``, ``$TOKEN``) is there for the next, once on a SQLite ledger and once on a
  PostgreSQL one; a step starts ``creditbank serve`` itself, as a reader would. A failing
  command fails the walkthrough, naming the step (``PAGE:LINE``);
- ``<!-- service: settings -->`` marks the one block of the walkthrough that sets ``DB`` (the
  ledger) and ``PORT``: the test puts a new ledger of each backend and a free loopback port
  in their place — the only lines of a walkthrough not run as written;
- ``<!-- service-pending: REASON -->`` on a step says it needs what has not landed yet (a
  route): the walkthrough failing at that step is reported as an expected failure naming the
  step and the reason, failing elsewhere fails, and passing with a step still marked fails
  too (remove the marker).
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass, field

FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")
MARKER = re.compile(r"^[ \t]*<!--\s*(?P<key>[\w-]+):\s*(?P<value>.*?)\s*-->[ \t]*$")
RUN = ("sh", "console", "python")


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # of the opening fence, 1-based
    markers: dict[str, str] = field(default_factory=dict)


def blocks(markdown: str) -> list[Block]:
    """Every fenced block of the page, in order, with the markers just above it."""
    lines = markdown.split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, start = opening["indent"], i
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            i += 1
        body = (
            textwrap.dedent("\n".join(lines[start + 1 : i]))
            if indent
            else "\n".join(lines[start + 1 : i])
        )
        markers: dict[str, str] = {}
        j = start - 1
        while j >= 0 and (marker := MARKER.match(lines[j])):
            markers[marker["key"]] = marker["value"]
            j -= 1
        found.append(Block(opening["lang"], body + "\n", start + 1, markers))
        i += 1
    return found


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """A console session as (command, the output lines shown under it)."""
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps and line.strip():
            steps[-1][1].append(line)
    return steps


SETTING = re.compile(r"^(?P<name>[A-Z_]+)=", re.M)
SETTINGS = ("DB", "PORT")
"""What a walkthrough's settings block assigns, and all it may assign."""
OUTPUTS = "_walkthrough"
"""The directory (in the work directory) where each console command's output goes."""


def service_steps(markdown: str) -> list[Block]:
    """The page's service walkthrough: its settings block, then its steps, in page order."""
    return [b for b in blocks(markdown) if "service" in b.markers]


@dataclass(frozen=True)
class Walkthrough:
    """A walkthrough as one bash script, and what each console command must print: its
    output is in ``OUTPUTS/N`` (N the index in ``shown``) after the run."""

    script: str
    shown: list[tuple[str, str, list[str]]]  # (where, command, lines shown under it)
    pending: dict[str, str] = field(default_factory=dict)  # where → why it is expected to fail


def service_script(page: str, steps: list[Block], settings: dict[str, str]) -> Walkthrough:
    """One bash script running the walkthrough ``steps`` of ``page`` in order, with the
    settings block replaced by ``settings``; a failing command stops it, naming the step. An
    ``sh`` step runs as written; each ``$ command`` of a ``console`` step runs in the same
    shell (its variables persist) with its output kept, to check against the lines shown."""
    lines = [
        "set -Eeuo pipefail",
        f"mkdir -p {OUTPUTS}",
        # The trap names the step that failed (-E: in functions and subshells too) and shows
        # what a console command printed; it writes to fd 3, the script's own stderr, because
        # it runs inside the redirection of the console command's output.
        "exec 3>&2",
        "OUT=",
        'trap \'status=$?; [ -z "$OUT" ] || cat "$OUT" >&3; echo "walkthrough: the step '
        "at $STEP failed (exit $status): $BASH_COMMAND\" >&3' ERR",
    ]
    shown: list[tuple[str, str, list[str]]] = []
    pending: dict[str, str] = {}
    for step in steps:
        where = f"{page}:{step.line}"
        kind = step.markers["service"]
        if "service-pending" in step.markers:
            pending[where] = step.markers["service-pending"]
        lines += [f"STEP={shlex.quote(where)}", "OUT="]
        if kind == "settings":
            assigned = tuple(sorted(SETTING.findall(step.text)))
            assert (step.lang, assigned) == ("sh", SETTINGS), (
                f"{where}: a settings block is sh and sets {SETTINGS} only"
            )
            lines += [f"{name}={shlex.quote(value)}" for name, value in settings.items()]
            continue
        assert kind == "step", f"{where}: `service:` is `settings` or `step`"
        if step.lang == "sh":
            lines.append(step.text)
            continue
        assert step.lang == "console", f"{where}: a service step is an sh or console block"
        for command, under in console_steps(step.text):
            output = f"{OUTPUTS}/{len(shown)}"
            lines += [f"OUT={output}", f"{{ {command}\n}} > {output} 2>&1", f"cat {output}"]
            shown.append((where, command, under))
    return Walkthrough("\n".join(lines) + "\n", shown, pending)
