"""A link carrying Markdown in its place id shows it as text (no link, no image, nothing fetched), and every
page served by server.py carries the security headers while the map still draws under them."""
from __future__ import annotations

import urllib.parse

import pytest

from layers.safe_text import WORD_JOINER
from tests.browser.test_app_browser import MAP_IFRAME, ON_APP, SHAPES, TIMEOUT_S, open_app

pytestmark = pytest.mark.browser
PHISH = "[点此登录 log in](http://evil.example/login) ![t](http://evil.example/t.png)"


@ON_APP
def test_markdown_in_a_link_is_shown_as_text_and_fetches_nothing(streamlit_server, page, external_requests,
                                                                page_errors):
    responses, refused = [], []
    page.on("response", lambda response: responses.append(response))
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    frame, _name = open_app(page, streamlit_server, "/?" + urllib.parse.urlencode({"place": PHISH}))
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.wait_for(timeout=TIMEOUT_S * 1000)
    assert PHISH in alert.inner_text().replace(WORD_JOINER, "")
    assert alert.locator("a").count() == 0 and alert.locator("img").count() == 0
    assert frame.locator(SHAPES).count() > 0  # the map draws under the Content-Security-Policy
    assert external_requests == [] and page_errors == []
    assert refused == []  # nothing the app itself loads is blocked by its policy
    documents = [r for r in responses if r.url.startswith(streamlit_server) and r.request.resource_type == "document"]
    assert documents  # the page and the map component's frame
    for document in documents:
        headers = document.all_headers()
        assert headers["x-content-type-options"] == "nosniff", document.url
        assert "default-src 'self'" in headers["content-security-policy"], document.url
    assert page.locator(MAP_IFRAME).count() == 1
