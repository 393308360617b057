"""mkdocs hook: the key.json page's JSON Schema, made from the key's records at build time
(generator/key/schema.py), so that the page never drifts from the format."""

from __future__ import annotations

import json

MARK = "<!-- key.json schema -->"


def on_page_markdown(markdown: str, page, config, files) -> str:  # mkdocs calls it so
    if MARK not in markdown:
        return markdown
    from generator.key.schema import schema

    text = json.dumps(schema(), indent=2, sort_keys=True)
    return markdown.replace(MARK, f"```json\n{text}\n```")
