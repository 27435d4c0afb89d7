"""Lianluo CRM core: everything except the Streamlit pages."""
