"""Read the fenced examples of a Markdown page, with the markers that say how to test them.

A block is tested by its language: ``sh`` runs as one bash script, ``console`` runs each
``$ command`` line and checks that the lines shown under it appear in what it printed,
``python`` runs as a script. Other blocks (``yaml``, ``json``, ``text``) are not run. HTML
comments on the lines just above a block are its markers:

- ``<!-- file: PATH -->`` writes the block to PATH in the page's work directory first, so
  later examples of the page can use it (a rule file, a learners file …);
- ``<!-- excerpt-of: PATH -->`` checks the block is a verbatim excerpt of that repository file;
- ``<!-- exit: N -->`` expects every command of the block to exit N (default 0);
- ``<!-- no-test: REASON -->`` skips the block; the reason is shown, so it must be real.
"""

from __future__ import annotations

import re
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
