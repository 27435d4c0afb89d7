"""Business services: plain functions per business noun; never import streamlit, never commit."""
