"""A pan writes the view into the link by rerunning the map alone (ui/map_frame.py), not the whole page: the
details column, the panels and the sidebar are not rebuilt and re-sent for a value only the address bar
shows (a pan took a median 2.9 s to reach the link when each one reran the page), and the map keeps its
frame and every shape."""
from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from layers.catalog import layer_frame, load_catalog
from tests.browser.test_app_browser import CBD_POINT, HIT, MAP_IFRAME, VIEW, open_app, panel_text, wait_until

pytestmark = pytest.mark.browser
ON_APP = pytest.mark.parametrize("app_script", ["server.py"], indirect=True)


def deltas(frames: list[bytes]) -> list[str]:
    """The fragment id of every element the server sent in these websocket frames ("" for the page's run)."""
    sent = []
    for payload in frames:
        try:
            message = ForwardMsg.FromString(payload)
        except DecodeError:
            continue
        if message.WhichOneof("type") == "delta":
            sent.append(message.delta.fragment_id)
    return sent


def param(page, name: str) -> str | None:
    return page.evaluate(f"() => new URLSearchParams(location.search).get({name!r})")


@ON_APP
def test_a_pan_reruns_only_the_map_and_a_click_still_the_page(streamlit_server, page, page_errors):
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived",
                                          lambda data: frames.append(data if isinstance(data, bytes) else data.encode())))
    frame, name = open_app(page, streamlit_server, "?place=cbd_core")
    wait_until(lambda: "提升“一核”" in panel_text(page), "the core's details")
    frame.evaluate("() => { window.__planmapMarker = 'kept'; }")
    page.wait_for_timeout(1500)  # the page's first runs are over
    # Every shape drawn now is marked: a redraw (overlays removed and added again) would replace them.
    shapes = frame.evaluate("() => { const paths = [...document.querySelectorAll('path.leaflet-interactive')];"
                            " paths.forEach(p => p.dataset.kept = '1'); return paths.length; }")
    box = page.locator(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    frames.clear()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=6)
    page.mouse.up()

    def in_link() -> bool:  # the map's view now (a drag may glide on after the release) is the link's
        view, link = frame.evaluate(VIEW, name), param(page, "view")
        return bool(link) and abs(float(link.split(",")[0]) - view["lat"]) < 1e-4 \
            and abs(float(link.split(",")[1]) - view["lng"]) < 1e-4

    wait_until(in_link, "the new view in the link", settle=0.5)
    page.wait_for_timeout(800)
    sent = deltas(frames)
    assert sent, "the pan sent nothing"
    assert all(sent), f"{sent.count('')} of {len(sent)} elements re-sent by a whole-page run after a pan"
    assert "提升“一核”" in panel_text(page) and param(page, "place") == "cbd_core"
    assert frame.evaluate("() => window.__planmapMarker") == "kept", "the map was rebuilt"
    redrawn = frame.evaluate("() => [...document.querySelectorAll('path.leaflet-interactive')]"
                             ".filter(p => p.dataset.kept !== '1').length")
    assert shapes and redrawn == 0, f"{redrawn} of {shapes} shapes redrawn after a pan"

    # A click still reruns the page: the details column follows it.
    street = layer_frame(load_catalog().layers["cbd_streets"]).set_index("id").loc["st_sanlitun"]
    point = street.geometry.representative_point()
    frame.evaluate(f"(n) => window[n].setView([{point.y}, {point.x}], 14, {{animate: false}})", name)
    hit = wait_until(lambda: (h := frame.evaluate(HIT, [name, point.y, point.x]))["fid"] == "st_sanlitun" and h,
                     "the street under the point")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])
    wait_until(lambda: param(page, "place") == "st_sanlitun", "place=st_sanlitun after the click")
    wait_until(lambda: street["name_zh"] in panel_text(page), "the street's details")
    assert page_errors == []


@ON_APP
def test_a_click_is_sent_at_once_and_only_once(streamlit_server, page, page_errors):
    """streamlit-folium sends the map's value 250 ms after the last change; layers.js sends a click's value at once
    and leaves streamlit-folium's own (debounced) send nothing new to send: one value per click, one page run."""
    frame, name = open_app(page, streamlit_server, "?layers=cbd_core")
    frame.evaluate(f"(n) => window[n].setView([{CBD_POINT[0]}, {CBD_POINT[1]}], 14, {{animate: false}})", name)
    hit = wait_until(lambda: (h := frame.evaluate(HIT, [name, *CBD_POINT]))["fid"] == "cbd_core" and h,
                     "the core under the point", settle=0.5)
    page.wait_for_timeout(800)  # the view's own value has been sent
    frame.evaluate("""() => { window.__sent = []; const send = window.Streamlit.setComponentValue;
        window.Streamlit.setComponentValue = function (value) {
            window.__sent.push({count: value.last_object_clicked_count, now: new Error().stack.includes('sendNow')});
            return send.apply(this, arguments); }; }""")
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.click(box["x"] + hit["x"], box["y"] + hit["y"])
    wait_until(lambda: param(page, "place") == "cbd_core", "place=cbd_core after the click")
    page.wait_for_timeout(1000)  # past streamlit-folium's debounce
    sent = frame.evaluate("() => window.__sent")
    assert sent and sent[0]["now"], sent  # the click went out from layers.js, not after the debounce
    assert len([value for value in sent if value["count"] == sent[0]["count"]]) == 1, sent
    assert page_errors == []
