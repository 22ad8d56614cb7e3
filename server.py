"""Plan Map's server: `streamlit run server.py` serves app.py plus the layer-data route and a compressed frontend.

Streamlit finds the `st.App` below and runs it as an ASGI app; app.py stays an ordinary Streamlit script
(`streamlit run app.py` still works, sending layer data inline instead of at cacheable URLs).
"""
from __future__ import annotations

import streamlit as st

from ui.asgi import app_options

app = st.App("app.py", **app_options())
