"""产品 (CUS-9): category tree on the left; product list, form and detail on the right."""

import streamlit as st

from core.i18n import t
from core.services.products import PRODUCT
from core.ui.context import page_setup
from core.ui.products import category_filter, category_manager
from core.ui.records import form_is_open, open_form, record_form, record_list, record_panel

actor = page_setup("crm.product.view", "product.title")

tree_col, main_col = st.columns([1, 4], gap="large")
with tree_col:
    category_id, in_category = category_filter(actor)
    category_manager(actor, category_id)

with main_col:
    if actor.can(PRODUCT.action("create")):
        st.button(
            t("product.new"),
            key="product.new",
            type="primary",
            on_click=open_form,
            args=(PRODUCT,),
            disabled=form_is_open(PRODUCT),
        )
    if form_is_open(PRODUCT):
        record_form(PRODUCT, actor)
    selected = record_list(PRODUCT, actor, where=in_category, context=category_id)
    if selected is not None:
        record_panel(PRODUCT, actor, selected)
