"""The one Jinja2 environment of the reports: templates shipped in this package, autoescaping on.

Everything a report shows comes from standards and portfolios that other people wrote, so
every value is escaped; the only markup passed through unescaped is the programme map, which
:mod:`creditbank.graph.draw` builds with every text escaped (:func:`inline_svg`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from creditbank._version import __version__
from creditbank.reports.labels import LABELS, Lang, value

__all__ = ["inline_svg", "jinja_environment", "percent", "render"]

_PROLOG = re.compile(r"^<\?xml[^>]*\?>\s*")


@cache
def jinja_environment(package: str = "creditbank.reports") -> Environment:
    """The Jinja2 environment of the templates shipped in ``package`` (the reports', or the
    pages' :mod:`creditbank.web`): autoescape for every template, whatever its name, since
    all of them are HTML (or CSS included into it) and all of them show untrusted text."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, lang: Lang, **context: Any) -> str:
    """``template`` rendered with the labels of ``lang`` (``t``) and ``v`` for values."""
    labels = LABELS[lang]
    return (
        jinja_environment()
        .get_template(template)
        .render(
            lang=lang,
            t=labels,
            v=lambda word: value(lang, word),
            generated_by=labels["generated_by"].format(version=__version__),
            **context,
        )
    )


def inline_svg(svg: str) -> Markup:
    """SVG text from :func:`creditbank.graph.draw.render_svg` as markup to put inside HTML:
    without its XML declaration (not allowed inside an HTML document)."""
    return Markup(_PROLOG.sub("", svg, count=1))  # every text in it is escaped


def percent(part: Decimal, whole: Decimal) -> str:
    """``part`` of ``whole`` as a CSS width between 0 and 100 (a bar's fill)."""
    if whole <= 0:
        return "100" if part >= 0 else "0"
    share = min(max(part / whole, Decimal(0)), Decimal(1)) * 100
    return f"{share:.1f}"
