"""公海 (CUS-5): customers waiting in the actor's pools, claim / assign, the pool history and the
actor's customers about to return to the pool."""

import streamlit as st

from core.i18n import t
from core.services.pool_queries import POOL_CUSTOMER, waiting_in
from core.ui.context import page_setup
from core.ui.pool import (
    bulk_actions,
    customer_panel,
    figures,
    pool_history,
    pool_picker,
    returning,
    run_bulk,
    show_flash,
)
from core.ui.records import record_list

actor = page_setup("crm.pool.view", "pool.title")
show_flash()

pool_id = pool_picker(actor)
if pool_id is not None:
    view = figures(actor, pool_id)
    customers_tab, returning_tab, history_tab = st.tabs(
        [t("pool.tab_customers"), t("pool.tab_returning"), t("pool.tab_history")]
    )
    with customers_tab:
        selected = record_list(
            POOL_CUSTOMER,
            actor,
            where=waiting_in(pool_id),
            context=pool_id,
            bulk_actions=bulk_actions(actor, view),
        )
        run_bulk(actor)
        if selected is not None:
            customer_panel(actor, view, selected)
        else:
            st.caption(t("pool.pick_customer"))
    with returning_tab:
        returning(actor)
    with history_tab:
        pool_history(actor, pool_id)
else:
    returning(actor)
