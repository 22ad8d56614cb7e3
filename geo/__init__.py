"""Pure geometry and data logic for Plan Map: load, validate, measure, join, transform. No Streamlit here."""
