"""The report-map form in the app: a map framed on the selected place, optionally thematic, ready to download."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app.py"


def test_a_thematic_map_of_the_selected_place_from_the_export_panel():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["place"] = "cbd_zone"
    at.query_params["panel"] = "export"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.radio(key="report_frame").value == "place"
    assert at.radio(key="atlas_scope").options[-1] == "cbd_zone"
    at.selectbox(key="report_measure").set_value("tasks")
    at.selectbox(key="report_dpi").set_value(150)
    submit = next(button for button in at.button if button.proto.form_id == "report_map_form")
    submit.click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    data, name, media_type = at.session_state["report_map"]
    assert media_type == "image/png" and data.startswith(b"\x89PNG") and name.endswith(".png")
