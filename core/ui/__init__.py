"""The only core package that imports Streamlit: navigation, shared widgets, state accessors."""
