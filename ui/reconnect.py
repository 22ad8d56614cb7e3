"""A page that outlives its server session: after a server restart the browser reconnects by itself and sends
its widgets' values with the next click. The new session must take those values, not seed its widgets from
the link over them (which silently undid the first click after a restart)."""
from __future__ import annotations

import json
import logging
from typing import Any

from streamlit.runtime.state.session_state_proxy import get_session_state

WIDGET_ID_PREFIX = "$$ID-"  # Streamlit's ids of keyed widgets: "$$ID-<hash>-<user key>"
log = logging.getLogger(__name__)


def browser_values() -> dict[str, Any]:
    """User key → value the browser sent with this run, for values readable before their widget is drawn:
    check boxes (the layer list), choices (the labels of the options chosen) and components' JSON (the map's
    last click). Empty on a page's first load.

    Streamlit offers no public way to read them before the widgets are drawn (until then `st.session_state`
    has no such key), so they are read from its session state; should that change, the answer is empty and
    the link seeds every widget, as before.
    """
    try:
        states = get_session_state()._state._new_widget_state.states
    except AttributeError:
        log.warning("cannot read the browser's widget states; a click right after a server restart may be lost")
        return {}
    values: dict[str, Any] = {}
    for widget_id, state in states.items():
        proto = getattr(state, "value", None)
        if not widget_id.startswith(WIDGET_ID_PREFIX) or widget_id.count("-") < 2 or proto is None:
            continue
        key = widget_id.split("-", 2)[2]
        kind = proto.WhichOneof("value") if hasattr(proto, "WhichOneof") else None
        if kind == "bool_value":
            values[key] = proto.bool_value
        elif kind == "string_value":
            values[key] = proto.string_value
        elif kind == "string_array_value":
            values[key] = list(proto.string_array_value.data)
        elif kind == "json_value":
            try:
                values[key] = json.loads(proto.json_value)
            except ValueError:
                continue
    return values


def held_choices(sent: dict[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, str | None]:
    """The values of choice widgets the browser holds, from the labels it sent: `labels` maps each widget key
    to {label: value} (in every language). A switch sends a list of labels, empty for none chosen."""
    chosen: dict[str, str | None] = {}
    for key, values in labels.items():
        label = sent.get(key)
        if isinstance(label, list):
            label = label[0] if label else None
            if label is None:
                chosen[key] = None
                continue
        if isinstance(label, str) and label in values:
            chosen[key] = values[label]
    return chosen
