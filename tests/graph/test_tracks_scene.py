"""The picture of the three tracks: levels in rank order, a bridge per title rule, the
worker's position marked, one language per picture, with either layout."""

from __future__ import annotations

import datetime as dt
import re
from itertools import pairwise
from pathlib import Path
from typing import Literal

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.graph.draw import dot_available, render_svg
from creditbank.graph.tracks import tracks
from creditbank.graph.tracks_scene import tracks_scene
from creditbank.graph.where import where
from creditbank.loading import load_portfolio
from tests.bundled import bundled_standards
from tests.paths import ROOT

STANDARDS = bundled_standards()
ELECTRICIAN = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
DAY = dt.date(2026, 12, 7)
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_columns_hold_each_track_highest_first() -> None:
    scene = tracks_scene(tracks(STANDARDS))
    skill = [n.id for n in scene.nodes if n.column == 0]
    assert skill == [f"skill:cn-skill-level:{level}" for level in "12345"]
    titles = [n.id.rsplit(":", 1)[1] for n in scene.nodes if n.column == 1]
    assert titles == ["正高级", "副高级", "中级", "助理级", "员级"]
    assert scene.keep_order and not scene.highlights
    bridges = {e.tooltip.split()[1] for e in scene.edges}
    title_rules = {r.id for r in STANDARDS.eligibility_rules.values() if r.outcome.kind == "title"}
    assert bridges == title_rules
    examples = {e.kind for e in scene.edges if "（示例）" in e.label}
    assert examples == {"example"}


def test_the_workers_position_and_open_bridges_are_marked() -> None:
    worker = load_portfolio(ELECTRICIAN, STANDARDS)
    scene = tracks_scene(tracks(STANDARDS), where(STANDARDS, worker, DAY), lang="en")
    status = {n.id: n.status for n in scene.nodes}
    assert status["skill:cn-skill-level:3"] == "held"
    assert status["title:engineering:助理级"] == "converted"
    assert status["title:engineering:中级"] == "plain"  # from 三级 no rule reaches it
    used = [(e.source, e.target) for e in scene.edges if e.used]
    assert used == [("skill:cn-skill-level:3", "title:engineering:助理级")]


def _shown(svg: str) -> str:
    """The text a reader sees: without tooltips, node ids (Graphviz writes them as titles
    and comments) and link titles."""
    svg = re.sub(r"<title>.*?</title>|<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r'xlink:title="[^"]*"', "", svg)


@pytest.mark.parametrize("engine", ["python", "dot"])
def test_the_svg_is_in_one_language(engine: Literal["python", "dot"]) -> None:
    if engine == "dot" and dot_available() is None:
        pytest.skip("Graphviz is not installed")
    worker = load_portfolio(ELECTRICIAN, STANDARDS)
    found = where(STANDARDS, worker, DAY)
    english = render_svg(tracks_scene(tracks(STANDARDS), found, lang="en"), engine=engine)
    chinese = render_svg(tracks_scene(tracks(STANDARDS), found, lang="zh"), engine=engine)
    assert "engineering, assistant" in english and "Level 3" in english
    # Chinese left in English is data only: the post's own name and the occupation's in
    # the picture, the source document's title in tooltips
    shown = _shown(english)
    assert set(CJK.findall(shown)) <= set("车间主任示例电工")
    assert "工程 助理级" in chinese and "三级（高级工）" in chinese
    assert "engineering," not in _shown(chinese)


def test_a_backward_bridge_has_its_arrowhead_at_the_start() -> None:
    svg = render_svg(tracks_scene(tracks(STANDARDS)), engine="python")
    assert svg.count("marker-start=") == 1  # the one reverse rule: a title opens a skill level


def test_cli_draws_and_lists_the_tracks(tmp_path: Path) -> None:
    picture = tmp_path / "tracks.svg"
    run = CliRunner().invoke(
        cli,
        [
            "graph",
            "--tracks",
            "--format",
            "svg",
            "--portfolio",
            str(ELECTRICIAN),
            "--as-of",
            DAY.isoformat(),
            "--engine",
            "python",
            "-o",
            str(picture),
        ],
    )
    assert run.exit_code == 0, run.output
    assert "现处位置" in picture.read_text(encoding="utf-8")
    listed = CliRunner().invoke(cli, ["graph", "--tracks", "--format", "json"])
    assert listed.exit_code == 0 and '"bridge:sd:engineering:assistant"' in listed.output
    wrong = CliRunner().invoke(cli, ["graph", "--tracks", "--format", "mermaid"])
    assert wrong.exit_code == 2


def _positions(svg: str, scene_lines: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Where each box's first line is drawn, by node id (x, y; y grows downwards in
    both engines' output)."""
    found: dict[str, tuple[float, float]] = {}
    for m in re.finditer(r'<text[^>]*? x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>', svg):
        for node, first in scene_lines.items():
            if m.group(3) == first and node not in found:
                found[node] = (float(m.group(1)), float(m.group(2)))
    return found


@pytest.mark.parametrize("engine", ["python", "dot"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("with_worker", [False, True])
def test_the_drawn_svg_keeps_every_column_highest_first(
    engine: Literal["python", "dot"], lang: Literal["zh", "en"], with_worker: bool
) -> None:
    """Regression: with Graphviz the skill column ran 五级 at the top, the titles were
    shuffled and the post sat among them."""
    if engine == "dot" and dot_available() is None:
        pytest.skip("Graphviz is not installed")
    found = where(STANDARDS, load_portfolio(ELECTRICIAN, STANDARDS), DAY) if with_worker else None
    scene = tracks_scene(tracks(STANDARDS), found, lang=lang)
    at = _positions(render_svg(scene, engine=engine), {n.id: n.lines[0] for n in scene.nodes})
    assert set(at) == {n.id for n in scene.nodes}
    columns = sorted({n.column for n in scene.nodes})
    for column in columns:
        ys = [at[n.id][1] for n in scene.nodes if n.column == column]
        assert ys == sorted(ys) and len(set(ys)) == len(ys), column  # given order, top down
    for left, right in pairwise(columns):
        lefts = [at[n.id][0] for n in scene.nodes if n.column == left]
        rights = [at[n.id][0] for n in scene.nodes if n.column == right]
        assert max(lefts) < min(rights), (left, right)
