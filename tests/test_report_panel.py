"""The report-map form in the app: a map framed on the selected place or the current map view, optionally thematic,
with the planner's own layers, ready to download."""
from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from geo.map_view import view_bbox
from tests.test_own_layers_report import parcels
from tests.app_page import whole_page



def test_a_thematic_map_of_the_selected_place_from_the_export_panel():
    at = whole_page(120)
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


def _spy_on_render(monkeypatch) -> list[dict]:
    """Record what the panel asks the renderer for, and still render (the app runs in this process)."""
    import ui.export_panel

    calls: list[dict] = []
    real = ui.export_panel.render_map

    def spy(ids=None, **options):
        calls.append({"ids": ids, **options})
        return real(ids, **options)

    monkeypatch.setattr(ui.export_panel, "render_map", spy)
    return calls


def _submit_report(at: AppTest) -> None:
    submit = next(button for button in at.button if button.proto.form_id == "report_map_form")
    submit.click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_current_map_view_frames_the_report_map(monkeypatch):
    calls = _spy_on_render(monkeypatch)
    at = whole_page(120)
    at.query_params["view"] = "39.91,116.46,14"
    at.query_params["panel"] = "export"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    frame = at.radio(key="report_frame")
    assert list(frame.options) == ["所选图层", "当前地图视图"]  # no place selected
    assert frame.value == "view"  # what the planner is looking at, unless they choose otherwise
    at.selectbox(key="report_dpi").set_value(150)
    expected = view_bbox((39.91, 116.46, 14))
    assert any(",".join(f"{value:.4f}" for value in expected) in caption.value for caption in at.caption)
    _submit_report(at)
    assert calls[-1]["bbox"] == expected and calls[-1]["focus"] is None
    west, south, east, north = calls[-1]["bbox"]
    assert (west + east) / 2 == pytest.approx(116.46) and (south + north) / 2 == pytest.approx(39.91, abs=1e-3)
    data, _name, media_type = at.session_state["report_map"]
    assert media_type == "image/png" and data.startswith(b"\x89PNG")


def test_an_uploaded_layer_goes_into_the_report_map_and_its_column_is_a_theme(monkeypatch, tmp_path):
    calls = _spy_on_render(monkeypatch)
    path = tmp_path / "parcels.geojson"
    parcels().to_file(path, driver="GeoJSON")
    at = whole_page(120)
    at.query_params["place"] = "cbd_core"
    at.query_params["panel"] = "export"
    at.run()
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "application/geo+json"))
    at.run()
    at.button(key="upload_add").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key="report_own").value == ["parcels.geojson"]
    measure = at.selectbox(key="report_measure")
    assert "parcels.geojson · 容积率" in measure.options and "parcels.geojson · 编号" not in measure.options
    measure.set_value(("parcels.geojson", "容积率"))
    at.selectbox(key="report_dpi").set_value(150)
    _submit_report(at)
    call = calls[-1]
    assert [layer.name for layer in call["own_layers"]] == ["parcels.geojson"]
    assert call["theme"] == "容积率" and call["theme_layer"] == "own:parcels.geojson"
    assert call["focus"] == "cbd_core"
    assert at.session_state["report_map"][0].startswith(b"\x89PNG")
