"""The customer detail (CUS-3): heading with deal and lock state and key facts, the owner's
actions (edit, transfer, lock, delete), and tabs — basic info, contacts, opportunities,
contracts, receivables (each once its entity exists), follow-ups, files, team, history."""

from __future__ import annotations

import importlib
import importlib.util
from functools import partial

import streamlit as st

from core.config import PROJECT_ROOT
from core.db import transaction
from core.entities import EntitySpec, get_spec
from core.errors import DomainError, NotFound
from core.i18n import t
from core.permissions import Actor
from core.services import customers
from core.services.customers import CUSTOMER
from core.services.lookups import Lookups
from core.ui import transfer
from core.ui.contact_form import contact_panel, open_new_contact, save_contact
from core.ui.context import show_error
from core.ui.record_detail import escape_markdown, files_tab, record_detail
from core.ui.record_form import form_is_open, open_form, record_form, selected_key
from core.ui.record_list import record_list
from core.ui.stars import star_button
from core.ui.team import team_panel
from core.ui.timeline import followup_timeline

KEY = "customer.detail"
RELEASE = f"{KEY}.release_open"
FACTS = ("owner_id", "level", "phone", "last_followup_at", "next_contact_at")
# Deal records shown as tabs once their entity exists: (spec name, its service, tab label, page).
RELATED = (
    (
        "opportunity",
        "core.services.opportunities",
        "customer.tab_opportunities",
        "pages/crm/opportunities.py",
    ),
    ("contract", "core.services.contracts", "customer.tab_contracts", "pages/crm/contracts.py"),
    (
        "receivable",
        "core.services.receivables",
        "customer.tab_receivables",
        "pages/crm/receivables.py",
    ),
)


def _registered(name: str, module: str) -> EntitySpec | None:
    """The entity's spec, registering it by importing its service module when that exists."""
    if importlib.util.find_spec(module) is not None:
        importlib.import_module(module)
    try:
        return get_spec(name)
    except KeyError:
        return None


def _heading(customer, lookups: Lookups) -> None:
    st.subheader(escape_markdown(customer.name), anchor=False)
    badges = st.container(horizontal=True)
    with badges:
        if customer.is_dealt:
            st.badge(t("customer.dealt"), color="green")
        else:
            st.badge(t("customer.not_dealt"), color="gray")
        if customer.is_locked:
            st.badge(t("customer.locked"), color="orange")
    for column, name in zip(st.columns(len(FACTS)), FACTS, strict=True):
        f = CUSTOMER.field(name)
        column.caption(t(f.label))
        column.text(lookups.display(f, getattr(customer, name)) or "—")


def _run(action, message: str, **kwargs) -> bool:
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return False
    st.toast(t(message))
    return True


def _close() -> None:
    st.session_state.pop(selected_key(CUSTOMER), None)


def _actions(actor: Actor, customer, editable: bool) -> None:
    bar = st.container(horizontal=True)  # compact buttons, left to right
    if editable and not form_is_open(CUSTOMER):
        bar.button(
            t("records.edit"), key=f"{KEY}.edit", on_click=open_form, args=(CUSTOMER, customer)
        )
    if customers.owner_side(actor, customer, "transfer"):
        bar.button(
            t("customer.transfer_button"),
            key=f"{KEY}.transfer",
            on_click=transfer.toggle,
            args=(KEY,),
        )
    if customers.owner_side(actor, customer, "edit"):
        label = "customer.unlock" if customer.is_locked else "customer.lock"
        if bar.button(t(label), key=f"{KEY}.lock"):
            done = "customer.unlocked_done" if customer.is_locked else "customer.locked_done"
            kwargs = {"customer_id": customer.id, "locked": not customer.is_locked}
            if _run(customers.set_locked, done, actor=actor, **kwargs):
                st.rerun()
    if customers.owner_side(actor, customer, "edit") and not customer.is_locked:
        bar.button(t("pool.release"), key=f"{KEY}.release", on_click=_toggle_release)
    if customers.owner_side(actor, customer, "delete") and bar.button(
        t("records.delete"), key=f"{KEY}.delete"
    ):
        st.session_state[f"{KEY}.confirm_delete"] = customer.id
    with bar.container(width="content"):  # the star button stretches to its container
        star_button(CUSTOMER, actor, customer.id, key=f"{KEY}.star")
    bar.button(t("records.close"), key=f"{KEY}.close", on_click=_close)
    _confirm_delete(actor, customer)


def _toggle_release() -> None:
    st.session_state[RELEASE] = not st.session_state.get(RELEASE, False)


def _release(actor: Actor, customer) -> None:
    """放入公海 with the pool service's form (reason, target pool); CUS-3 / CUS-5."""
    if not st.session_state.get(RELEASE) or not customers.owner_side(actor, customer, "edit"):
        return
    from core.ui.pool import release_form

    with st.container(border=True):
        st.markdown(f"**{t('pool.release')}**")
        release_form(actor, [customer.id], key=f"{KEY}.pool")


def _confirm_delete(actor: Actor, customer) -> None:
    if st.session_state.get(f"{KEY}.confirm_delete") != customer.id:
        return
    st.warning(t("records.confirm_delete", name=escape_markdown(customer.name)))
    yes_col, no_col, _ = st.columns([1, 1, 5])
    confirmed = yes_col.button(t("records.confirm"), key=f"{KEY}.confirm", type="primary")
    if confirmed and _run(
        customers.delete, "records.deleted", actor=actor, customer_id=customer.id
    ):
        st.session_state.pop(f"{KEY}.confirm_delete", None)
        _close()
        st.rerun()
    if no_col.button(t("records.cancel"), key=f"{KEY}.keep"):
        st.session_state.pop(f"{KEY}.confirm_delete", None)
        st.rerun()


def _contacts_tab(actor: Actor, customer, editable: bool) -> None:
    from core.services.contacts import CONTACT, for_customer_clause

    if actor.can(CONTACT.action("create")) and editable and not form_is_open(CONTACT):
        st.button(
            t("customer.new_contact"),
            key=f"{KEY}.new_contact",
            on_click=open_new_contact,
            args=(customer.id,),
        )
    if form_is_open(CONTACT):
        record_form(CONTACT, actor, on_save=save_contact)
    # One customer's people: no views or bulk bar inside the tab.
    where = [for_customer_clause(customer.id)]
    selected = record_list(CONTACT, actor, where=where, views=False, bulk=False)
    if selected is not None:
        contact_panel(actor, selected)


def _related_tab(actor: Actor, spec: EntitySpec, page: str, customer_id: int) -> None:
    clause = spec.model.customer_id == customer_id
    # No `context`: an empty tab says "no data yet", not "nothing matches your filters".
    selected = record_list(spec, actor, where=[clause], views=False, bulk=False)
    linked = selected is not None and (PROJECT_ROOT / page).exists()
    if linked and st.button(t(spec.title_key), key=f"{KEY}.open.{spec.name}", icon="↗"):
        st.switch_page(page)


def _files_tab(actor: Actor, customer, editable: bool) -> None:
    ids = {"actor": actor, "customer_id": customer.id}
    files_tab(
        f"{KEY}.files.{customer.id}",
        actor,
        CUSTOMER,
        customer.id,
        attach=partial(customers.attach_file, **ids) if editable else None,
        remove=partial(customers.remove_file, **ids) if editable else None,
    )


def _tabs(actor: Actor, customer, editable: bool):
    tabs = [(t("customer.tab_contacts"), partial(_contacts_tab, actor, customer, editable))]
    for name, module, label, page in RELATED:
        spec = _registered(name, module)
        if spec is not None and actor.can(spec.view_action):
            tabs.append((t(label), partial(_related_tab, actor, spec, page, customer.id)))
    manage = customers.owner_side(actor, customer, "edit")
    timeline = partial(followup_timeline, actor, "customer", customer.id, can_add=True)
    tabs += [
        (t("customer.tab_followups"), timeline),
        (t("customer.tab_files"), partial(_files_tab, actor, customer, editable)),
        (t("customer.tab_team"), partial(team_panel, actor, customer, manage=manage)),
    ]
    return tabs


def customer_panel(actor: Actor, customer_id: int) -> None:
    """The selected customer in a bordered panel. Gone or out of scope: the panel closes."""
    try:
        with transaction() as session:
            customer = customers.get(session, actor=actor, customer_id=customer_id)
            editable = customers.can_edit(session, actor, customer)
            lookups = Lookups.for_rows(session, CUSTOMER, [customer])
    except NotFound:
        _close()
        return
    with st.container(border=True):
        _heading(customer, lookups)
        _actions(actor, customer, editable)
        transfer.transfer_panel(
            KEY,
            on_transfer=lambda s, to_user, cascade: customers.transfer(
                s, actor=actor, customer_id=customer.id, to_user_id=to_user, cascade=cascade
            ),
            current_owner=customer.owner_id,
            cascade_label=t("customer.transfer.cascade"),
        )
        _release(actor, customer)
        record_detail(
            CUSTOMER,
            actor,
            customer,
            heading=False,
            tabs=_tabs(actor, customer, editable),
            lazy=True,
        )
