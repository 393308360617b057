"""The jinja environment of the HTML and Markdown pages people open: check's report, the
preview, the item analysis and the students' feedback."""

from __future__ import annotations

from functools import cache

import jinja2

from generator.resources import templates_dir
from generator.tables import plain


@cache
def page_environment() -> jinja2.Environment:
    """The environment of the HTML and Markdown pages (check's report, the preview, the
    item analysis, the feedback pages): every value escaped in ``*.html.j2`` templates,
    none in Markdown."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["plain"] = plain
    return env
