"""The report documents as text: one language per document, every value escaped, the CLI's
``--format html`` and ``-o``. The printed result is checked in a browser (test_print.py)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbank.cli import cli
from creditbank.engine import evaluate
from creditbank.loading import load_portfolio
from creditbank.models import Standards
from creditbank.reports import LABELS, VALUES, evaluation_report
from creditbank.reports import labels as labels_module
from tests.bundled import bundled_standards
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
AS_OF = dt.date(2026, 11, 29)
REPORTS = ROOT / "creditbank" / "reports"


class _Document(HTMLParser):
    """The start tags and the text of an HTML document (entities decoded)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_both_languages_have_the_same_labels() -> None:
    assert LABELS["zh"].keys() == LABELS["en"].keys()
    assert VALUES["zh"].keys() == VALUES["en"].keys()
    for lang in ("zh", "en"):
        assert all(LABELS[lang].values()) and all(VALUES[lang].values())


def test_every_label_is_used_and_every_used_label_exists() -> None:
    """A label the templates name but the catalogue lacks would fail rendering (StrictUndefined);
    one the catalogue has but nothing uses is dead weight that translators would still keep."""
    templates = "".join(p.read_text(encoding="utf-8") for p in (REPORTS / "templates").iterdir())
    code = "".join(p.read_text(encoding="utf-8") for p in REPORTS.glob("*.py"))
    used = set(re.findall(r"\bt\.(\w+)", templates)) | set(re.findall(r"\[[\"'](\w+)[\"']\]", code))
    assert used & LABELS["en"].keys() == LABELS["en"].keys(), LABELS["en"].keys() - used
    assert re.findall(r"\bt\.(\w+)", templates)
    assert set(re.findall(r"\bt\.(\w+)", templates)) <= LABELS["en"].keys()
    assert labels_module.value("zh", "posted") == "已入账"
    assert labels_module.value("zh", "电工") == "电工"  # data stays as written


def test_a_report_is_self_contained(standards: Standards) -> None:
    portfolio = load_portfolio(EXAMPLE, standards)
    html = evaluation_report(standards, portfolio, "460301", AS_OF, lang="en")
    document = _Document(html)
    assert "script" not in document.tags
    assert not [value for name, value in document.attributes if name in ("src", "href")]
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert "@page { size: A4" in html and "<svg" in html and "<?xml" not in html
    assert "Noto Sans CJK SC" in html and "WenQuanYi Micro Hei" in html


def test_a_report_on_example_data_says_so(standards: Standards) -> None:
    """The bundled school and the example portfolios are illustrative (example: true): a
    report with a signature block must not pass for an official decision (new-user review,
    session 7)."""
    portfolio = load_portfolio(EXAMPLE, standards)
    for lang in ("zh", "en"):
        html = evaluation_report(standards, portfolio, "460301", AS_OF, lang=lang)
        assert LABELS[lang]["example_notice"] in html


_names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"'/"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() == s and s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    learner=st.one_of(st.just("<script>alert(1)</script>"), _names),
    note=st.one_of(st.just('<img src=x onerror="alert(2)">'), _names),
)
def test_untrusted_names_are_text_never_markup(learner: str, note: str) -> None:
    standards = bundled_standards()
    portfolio = load_portfolio(EXAMPLE, standards)
    first = portfolio.achievements[0].model_copy(update={"note": note})
    portfolio = portfolio.model_copy(
        update={"learner": learner, "achievements": (first, *portfolio.achievements[1:])}
    )
    evaluation = evaluate(standards, portfolio, "460301", AS_OF)
    html = evaluation_report(
        standards, portfolio, "460301", AS_OF, evaluation=evaluation, program_map=False
    )
    document = _Document(html)
    assert "script" not in document.tags and "img" not in document.tags
    assert not [name for name, _ in document.attributes if name.startswith("on")]
    text = "".join(document.text)
    assert learner in text and note in text


def _evaluate(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(EXAMPLE), "--program", "460301", "--as-of", "2026-11-29", *args],
    )
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.stdout


def test_cli_writes_the_report_to_a_file_or_stdout(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert _evaluate("--format", "html", "--lang", "en", "-o", str(out)) == ""
    written = out.read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and "Credit recognition report" in written
    assert _evaluate("--format", "html", "--lang", "en", "-o", "-") == written
    chinese = _evaluate("--format", "html")  # zh by default
    assert "学分认定报告" in chinese and "Credit recognition report" not in chinese
    json_out = tmp_path / "evaluation.json"
    _evaluate("--format", "json", "-o", str(json_out))
    assert json_out.read_text(encoding="utf-8") == _evaluate("--format", "json")


def test_cli_refuses_output_with_a_table_and_a_directory(tmp_path: Path) -> None:
    _evaluate("-o", str(tmp_path / "x.html"), code=2)
    _evaluate("--format", "html", "-o", str(tmp_path), code=2)
    assert list(tmp_path.iterdir()) == []


def test_cli_keeps_an_existing_file_when_it_cannot_write(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "report.html"
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(EXAMPLE), "--program", "460301", "--format", "html", "-o", str(target)],
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not target.parent.exists()


def _ledger(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["ledger", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def approved_ledger(db: Path) -> str:
    """A ledger with one account whose application to 460301 was approved and posted."""
    learner = ["--actor", "w-001", "--role", "learner"]
    _ledger(db, "init")
    _ledger(db, "open", "w-001", *learner, "--key", "k-open")
    for achievement, org in (
        ("elec-l3", "demo-employer"),
        ("plc-training", "demo-training-centre"),
    ):
        _ledger(
            db, "deposit", "w-001", str(EXAMPLE), "--achievement", achievement,
            "--actor", "s-1", "--role", "issuer", "--org", org, "--key", f"k-{achievement}",
        )  # fmt: skip
    operator = ["--actor", "op-1", "--role", "bank_operator"]  # dated: a historical application
    _ledger(db, "apply", "w-001", "--program", "460301", "--as-of", "2026-01-01", *operator,
            "--key", "k-apply")  # fmt: skip
    school = ["--org", "demo-college", "--reason", "<b>材料齐全</b>"]
    _ledger(db, "review", "w-001", "app-1", "--actor", "t-2", "--role", "school_reviewer",
            *school, "--key", "k-rev")  # fmt: skip
    _ledger(db, "approve", "w-001", "app-1", "--actor", "r-9", "--role", "academic_affairs",
            *school, "--key", "k-appr")  # fmt: skip
    return "w-001"


def test_statement_report_in_each_language(tmp_path: Path) -> None:
    db = tmp_path / "bank.db"
    account = approved_ledger(db)
    english = _ledger(db, "statement", account, "--format", "html", "--lang", "en")
    assert "Credit bank account statement" in english and "Example Polytechnic" in english
    assert "app-1" in english and "+4" in english and ">posted<" in english
    assert "&lt;b&gt;材料齐全&lt;/b&gt;" in english and "<b>" not in english
    assert ">Level 3<" in english  # levels named in the report's language, like labels
    out = tmp_path / "statement.html"
    assert _ledger(db, "statement", account, "--format", "html", "-o", str(out)) == ""
    chinese = out.read_text(encoding="utf-8")
    assert "学分银行账户对账单" in chinese and "已入账" in chinese
    assert ">posted<" not in chinese and "Credit bank" not in chinese
    assert ">三级<" in chinese and "Level 3" not in chinese
