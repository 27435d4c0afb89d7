"""合同 (CUS-7): the contract list, the contract form with product lines, and the selected
contract's detail with approval, receivable plans and receivables."""

import streamlit as st

from core.i18n import t
from core.services.contracts import CONTRACT
from core.ui.context import page_setup
from core.ui.contract_detail import contract_form, contract_panel, open_new_contract
from core.ui.order_form import order_form_is_open
from core.ui.records import record_list

actor = page_setup("crm.contract.view", "contract.title")

if actor.can(CONTRACT.action("create")):
    st.button(
        t("contract.new"),
        key="contract.new",
        type="primary",
        on_click=open_new_contract,
        disabled=order_form_is_open(CONTRACT),
    )
contract_form(actor)
selected = record_list(CONTRACT, actor)
if selected is not None:
    contract_panel(actor, selected)
