"""通讯录 (OFF-8): the department tree on the left; colleagues, search and stars on the right."""

import streamlit as st

from core.ui.address_book import department_filter, directory
from core.ui.context import page_setup

actor = page_setup("office.addressbook.view", "address_book.title")

tree_col, main_col = st.columns([1, 4], gap="large")
with tree_col:
    department_id = department_filter()
with main_col:
    directory(actor, department_id)
