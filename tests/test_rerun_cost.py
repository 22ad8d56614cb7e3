"""A rerun compiles no Jinja template: branca's re-wrapping of finished map text is passed through as text,
exactly as Jinja would render it (a third of a map rerun went to compiling it)."""
from __future__ import annotations


import jinja2
import pytest

from layers.literal_templates import LiteralTemplate, template
from tests.app_page import whole_page



@pytest.mark.parametrize("text", ["", "abc", "abc\n", "abc\n\n", "a\nb\n", "var x = {a: 1};\n", "x { y } z",
                                  "<script>planmap.addGeoJson(g, {\"tip\": \"{\\u007b 7*7 }}\"});</script>\n"])
def test_plain_text_renders_as_jinja_would(text):
    assert isinstance(template(text), LiteralTemplate)
    assert template(text).render(this=None, kwargs={}) == jinja2.Template(text).render(this=None, kwargs={})


def test_text_with_jinja_syntax_is_still_compiled():
    assert template("{{ 6 * 7 }}").render() == "42"
    assert isinstance(template("{% if true %}x{% endif %}"), jinja2.Template)


def test_a_layer_toggle_compiles_no_template(monkeypatch):
    at = whole_page(60)
    at.run()
    compiled = []
    real = jinja2.Environment.from_string
    monkeypatch.setattr(jinja2.Environment, "from_string",
                        lambda self, source, *args, **kwargs: compiled.append(source) or real(self, source, *args,
                                                                                              **kwargs))
    at.checkbox(key="layer_cbd_core").uncheck().run()
    assert not at.exception
    assert compiled == []  # 15 per rerun before
