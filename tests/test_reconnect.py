"""What a page reconnected after a server restart holds is read back from the labels it sends
(the browser tests in tests/browser/test_restart.py check the whole round)."""
from __future__ import annotations

from ui.reconnect import held_choices


def test_choices_held_by_a_reconnected_page_are_read_from_their_labels():
    labels = {"lang": {"中文": "zh", "English": "en"}, "panel": {"任务": "tasks", "Tasks": "tasks"}}
    assert held_choices({"lang": "English", "panel": ["Tasks"]}, labels) == {"lang": "en", "panel": "tasks"}
    assert held_choices({"panel": []}, labels) == {"panel": None}
    assert held_choices({"lang": "Klingon", "layer_x": True}, labels) == {}
