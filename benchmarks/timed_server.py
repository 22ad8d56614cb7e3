"""server.py for the benchmark: Plan Map's routes and middleware around the timing wrapper instead of app.py."""
from __future__ import annotations

import streamlit as st

from ui.asgi import app_options

app = st.App("timed_app.py", **app_options())
