"""Streamlit presentation: panels and tables that app.py wires together (no data logic here)."""
