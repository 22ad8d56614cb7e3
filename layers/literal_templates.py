"""Skip compiling Jinja templates that hold no Jinja: a third of a map rerun went to compiling them.

branca wraps every piece of a map it has already rendered (the map's script, its header, each overlay's
script) in a new Element whose template is that text, and compiles it with Jinja again: 15 compilations per
rerun, ~20 ms of a ~60 ms rerun. The text is finished output (Plan Map's data never carries "{{", "{%" or
"{#": layers/interactive.py escapes them), so a text without Jinja syntax is returned as Jinja would render
it, without compiling. Anything else is compiled as before.
"""
from __future__ import annotations

from typing import Any, Final

import branca.element
import jinja2

JINJA_SYNTAX: Final = ("{{", "{%", "{#")


class LiteralTemplate:
    """A template text without Jinja syntax; renders as Jinja would (one trailing newline dropped)."""

    def __init__(self, text: str) -> None:
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *_args: Any, **_kwargs: Any) -> str:
        return self.text


def template(source: str) -> jinja2.Template | LiteralTemplate:
    """What branca builds an element's template with: a literal for plain text, else a compiled Template."""
    if isinstance(source, str) and not any(marker in source for marker in JINJA_SYNTAX):
        return LiteralTemplate(source)
    return jinja2.Template(source)


def install() -> None:
    """Make branca build element templates through `template` (idempotent)."""
    branca.element.Template = template
