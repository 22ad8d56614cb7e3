"""Plan Map's server: `streamlit run server.py` serves app.py plus the layer-data route and a compressed frontend.

Streamlit finds the `st.App` below and runs it as an ASGI app; app.py stays an ordinary Streamlit script
(`streamlit run app.py` still works, sending layer data inline instead of at cacheable URLs).
"""
from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from layers import serving
from ui.compressed_static import CompressedFrontend

app = st.App(
    "app.py",
    routes=serving.routes(),
    middleware=[Middleware(CompressedFrontend, base_path=config.get_option("server.baseUrlPath") or "")],
)
