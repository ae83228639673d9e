"""The words every page shares (layout, navigation, language switch), in each language.

Each area of the site keeps its own words in its module's ``LABELS`` (same shape); a page gets
these merged with its area's (:func:`creditbank.web.render.page`)."""

from __future__ import annotations

from creditbank.reports.labels import Lang

__all__ = ["LABELS"]

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {
        "site_name": "学分银行",
        "skip_to_content": "跳到正文",
        "nav_label": "主导航",
        "nav_home": "学分试算",
        "nav_programmes": "专业",
        "nav_registrar": "认定审核",
        "language": "语言",
        "other_language": "English",
        "footer": "creditbank {version} · 依据公开标准进行学分认定与转换",
        "scroll_hint": "表格较宽：左右滑动可查看全部列。",
        "table_region": "表格（可左右滚动）",
        "map_region": "专业图（可左右滚动）",
    },
    "en": {
        "site_name": "Credit bank",
        "skip_to_content": "Skip to content",
        "nav_label": "Main",
        "nav_home": "Try your credits",
        "nav_programmes": "Programmes",
        "nav_registrar": "Registrar",
        "language": "Language",
        "other_language": "中文",
        "footer": "creditbank {version} · credits recognised under published standards",
        "scroll_hint": "This table is wide: scroll sideways to see every column.",
        "table_region": "Table (scrolls sideways)",
        "map_region": "Programme map (scrolls sideways)",
    },
}
