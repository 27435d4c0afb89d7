"""The lead conversion form (CUS-2): customer and contact values taken from the lead, an optional
opportunity, possible duplicates of the customer shown before saving, one transaction."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.db import transaction
from core.entities import EntitySpec, get_spec
from core.errors import DomainError, ValidationFailed
from core.i18n import t
from core.permissions import Actor
from core.services import leads
from core.services.contacts import CONTACT
from core.services.customers import CUSTOMER
from core.ui.context import show_error
from core.ui.duplicates import matches_table
from core.ui.fields import Choices, form_widget, initial_widget_value
from core.ui.submit_guard import already_saved, mark_saved, new_token

K = "lead.convert"
STATE = f"{K}.state"
PARTS: dict[str, tuple[str, ...]] = {
    "customer": ("name", "level", "industry", "source", "phone", "address"),
    "contact": ("name", "mobile", "title", "is_decision_maker"),
    "opportunity": ("name", "amount", "expected_close_date"),
}


def _spec(part: str) -> EntitySpec:
    return {"customer": CUSTOMER, "contact": CONTACT}.get(part) or get_spec(part)


def _key(part: str, name: str) -> str:
    return f"{K}.{part}.{name}"


def can_convert(actor: Actor) -> bool:
    return all(actor.can(a) for a in ("crm.lead.edit", "crm.customer.create", "crm.contact.create"))


def _has_spec(name: str) -> bool:
    try:
        get_spec(name)
    except KeyError:
        return False
    return True


def opportunity_available(actor: Actor) -> bool:
    """An opportunity can be made along once its entity exists and the actor may create one."""
    return _has_spec("opportunity") and actor.can("crm.opportunity.create")


def open_conversion(lead) -> None:
    """Button callback: the form for `lead`, starting from the lead's values."""
    customer, contact = leads.conversion_defaults(lead)
    defaults = {"customer": customer, "contact": contact, "opportunity": {}}
    for part, names in PARTS.items():
        if not _has_spec(part):
            continue
        spec = _spec(part)
        for name in names:
            value = defaults[part].get(name)
            st.session_state[_key(part, name)] = initial_widget_value(spec.field(name), value)
    st.session_state[f"{K}.with_opportunity"] = False
    st.session_state.pop(f"{K}.confirm", None)
    st.session_state[STATE] = {"lead_id": lead.id, "token": new_token(), "errors": {}}


def close_conversion() -> None:
    st.session_state.pop(STATE, None)


def conversion_open(lead_id: int) -> bool:
    return st.session_state.get(STATE, {}).get("lead_id") == lead_id


def _part(actor: Actor, part: str, errors: dict) -> dict[str, Any]:
    spec = _spec(part)
    fields = [spec.field(n) for n in PARTS[part]]
    with transaction() as session:
        choices = Choices.load(session, actor, spec, fields)
    values = {}
    columns = st.columns(2)
    for i, f in enumerate(fields):
        with columns[i % 2]:
            values[f.name] = form_widget(spec, f, choices, key=_key(part, f.name))
            problem = errors.get(f"{part}.{f.name}")
            if problem:
                st.caption(f":red[{t(problem[0], **problem[1])}]")
    return values


def _duplicates(actor: Actor, lead_id: int) -> bool:
    """Possible duplicates of the customer about to be made; True when one is exact."""
    from core.services import duplicates

    name = st.session_state.get(_key("customer", "name")) or ""
    phone = st.session_state.get(_key("customer", "phone")) or ""
    with transaction() as session:
        matches = duplicates.find(
            session, actor=actor, name=name, phone=phone, exclude_lead_id=lead_id
        )
    if not matches:
        return False
    st.warning(t("customer.duplicates.typing_found"))
    matches_table(matches, key=f"{K}.duplicates")
    return any(m.exact and m.source != "lead" for m in matches)


def _submit(actor: Actor, state: dict, parts: dict, confirm: bool) -> None:
    if already_saved(st.session_state, state["token"]):
        close_conversion()
        st.rerun()
    try:
        with transaction() as session:
            made = leads.convert(
                session, actor=actor, lead_id=state["lead_id"], confirm_duplicate=confirm, **parts
            )
            name = made.customer.name
        mark_saved(st.session_state, state["token"])
    except ValidationFailed as exc:
        state["errors"] = exc.errors
        st.rerun()
    except DomainError as exc:  # DuplicateCustomer too: the matches are shown above the form
        show_error(exc)
        return
    close_conversion()
    st.session_state["lead.flash_text"] = t("lead.conversion.done", name=name)
    st.rerun()


def _parts(actor: Actor, errors: dict, with_opportunity: bool) -> dict[str, dict]:
    shown = ["customer", "contact", *(["opportunity"] if with_opportunity else [])]
    parts = {}
    for part in shown:
        st.markdown(f"**{t(f'lead.conversion.{part}')}**")
        parts[part] = _part(actor, part, errors)
    return parts


def _confirm(exact: bool) -> bool:
    if not exact:
        return False
    return st.checkbox(t("lead.conversion.confirm_duplicate"), key=f"{K}.confirm")


def _buttons() -> tuple[bool, bool]:
    go_col, cancel_col, _ = st.columns([1, 1, 4])
    go = go_col.form_submit_button(
        t("lead.conversion.submit"), type="primary", key=f"{K}.submit", width="stretch"
    )
    cancel = cancel_col.form_submit_button(
        t("lead.conversion.cancel"), key=f"{K}.cancel", width="stretch"
    )
    return go, cancel


def conversion_form(actor: Actor) -> None:
    """Render the open conversion form (see open_conversion)."""
    state = st.session_state[STATE]
    errors = state["errors"]
    with st.container(border=True):
        st.markdown(f"**{t('lead.conversion.title')}**")
        st.caption(t("lead.conversion.intro"))
        if errors:
            st.error(t("error.validation_failed"))
        exact = _duplicates(actor, state["lead_id"])
        with_opportunity = opportunity_available(actor) and st.toggle(
            t("lead.conversion.with_opportunity"), key=f"{K}.with_opportunity"
        )
        with st.form(key=f"{K}.form", enter_to_submit=False, border=False):
            parts = _parts(actor, errors, with_opportunity)
            confirm = _confirm(exact)
            go, cancel = _buttons()
    if cancel:
        close_conversion()
        st.rerun()
    if go:
        _submit(actor, state, parts, confirm)
