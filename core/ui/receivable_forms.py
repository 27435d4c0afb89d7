"""Receivable forms (CUS-8): a receivable against an approved contract (its plan chosen among the
contract's plans, save or save-and-submit), a plan for the next period, and a contract's money
tab listing both."""

from __future__ import annotations

import streamlit as st

from core.db import transaction
from core.errors import DomainError, EditConflict, ValidationFailed
from core.i18n import format_date, format_money, t
from core.models import ApprovalStatus
from core.permissions import Actor
from core.services import numbering, receivables
from core.services.receivables import PLAN, RECEIVABLE
from core.ui.context import show_error
from core.ui.fields import Choices, form_key, form_widget, initial_widget_value
from core.ui.record_form import flash_key, selected_key
from core.ui.submit_guard import already_saved, mark_saved, new_token

FORM = "receivable.form_state"
FIELDS = ("plan_id", "received_date", "method", "amount", "notes")


def receivable_form_is_open(contract_id: int | None = None) -> bool:
    state = st.session_state.get(FORM)
    return state is not None and (contract_id is None or state["contract_id"] == contract_id)


def close_receivable_form() -> None:
    st.session_state.pop(FORM, None)


def open_receivable_form(record=None, *, contract_id: int | None = None) -> None:
    """A new receivable (for `contract_id` when given) or `record` to edit. Safe in callbacks."""
    st.session_state[FORM] = {
        "token": new_token(),
        "record_id": getattr(record, "id", None),
        "version": getattr(record, "version", None),
        "contract_id": getattr(record, "contract_id", contract_id),
        "errors": {},
    }
    today = numbering.local_today()
    for name in ("contract_id", *FIELDS):
        f = RECEIVABLE.field(name)
        value = getattr(record, name) if record else {"received_date": today}.get(name)
        if name == "contract_id" and not record:
            value = contract_id
        st.session_state[form_key(RECEIVABLE, f)] = initial_widget_value(f, value)


def _plan_label(plan) -> str:
    return t(
        "receivable.plan.label",
        period=plan.period,
        amount=format_money(plan.planned_amount),
        date=format_date(plan.planned_date),
    )


def _widgets(actor: Actor, state: dict) -> dict:
    fields = [RECEIVABLE.field(n) for n in ("contract_id", *FIELDS)]
    contract_id = st.session_state.get(form_key(RECEIVABLE, fields[0]))
    with transaction() as session:
        choices = Choices.load(session, actor, RECEIVABLE, fields)
        plans = (
            receivables.plans_of(session, actor=actor, contract_id=contract_id)
            if contract_id
            else []
        )
    choices.by_field["plan_id"] = {p.id: _plan_label(p) for p in plans}
    if st.session_state.get("receivable.plan_id") not in (None, *choices.by_field["plan_id"]):
        st.session_state["receivable.plan_id"] = None
    values = {}
    fixed = state["contract_id"] is not None
    for i in range(0, len(fields), 2):
        for column, f in zip(st.columns(2), fields[i : i + 2], strict=False):
            with column:
                if f.name == "contract_id" and fixed:
                    st.caption(t(f.label))
                    st.text(choices.label(f, state["contract_id"]) or f"#{state['contract_id']}")
                    values["contract_id"] = state["contract_id"]
                    continue
                values[f.name] = form_widget(RECEIVABLE, f, choices, None)
                if f.name in state["errors"]:
                    key, params = state["errors"][f.name]
                    st.caption(f":red[{t(key, **params)}]")
    return values


def _save(actor: Actor, state: dict, values: dict, submit: bool) -> None:
    if already_saved(st.session_state, state["token"]):
        close_receivable_form()
        st.rerun()
    try:
        with transaction() as session:
            if state["record_id"] is None:
                record = receivables.create(session, actor=actor, values=values)
            else:
                record = receivables.update(
                    session,
                    actor=actor,
                    receivable_id=state["record_id"],
                    values=values,
                    expected_version=state["version"],
                )
            if submit:
                receivables.submit(session, actor=actor, receivable_id=record.id)
            saved_id = record.id
        mark_saved(st.session_state, state["token"])
    except ValidationFailed as exc:
        state["errors"] = exc.errors
        st.rerun()
    except (EditConflict, DomainError) as exc:
        show_error(exc)
        return
    close_receivable_form()
    st.session_state[selected_key(RECEIVABLE)] = saved_id
    st.session_state[flash_key(RECEIVABLE)] = "records.saved"
    st.rerun()


def receivable_form(actor: Actor) -> None:
    """The open receivable form."""
    state = st.session_state[FORM]
    with st.container(border=True):
        title = "records.new_title" if state["record_id"] is None else "records.edit_title"
        st.subheader(t(title, entity=t(RECEIVABLE.title_key)))
        if state["errors"]:
            st.error(t("error.validation_failed"))
        values = _widgets(actor, state)
        save, submit, cancel, _ = st.columns([1, 1.4, 1, 3])
        if save.button(t("records.save"), key="receivable.save", width="stretch"):
            _save(actor, state, values, submit=False)
        if submit.button(
            t("receivable.save_and_submit"),
            key="receivable.save_submit",
            type="primary",
            width="stretch",
        ):
            _save(actor, state, values, submit=True)
        if cancel.button(t("records.cancel"), key="receivable.cancel", width="stretch"):
            close_receivable_form()
            st.rerun()


def _plan_form(actor: Actor, contract_id: int) -> None:
    with st.form("receivable.plan_form", clear_on_submit=False, border=False):
        fields = [PLAN.field(n) for n in ("planned_amount", "planned_date", "remind_days", "notes")]
        values = {}
        for f in fields:
            values[f.name] = form_widget(PLAN, f, Choices(), None)
        if not st.form_submit_button(
            t("receivable.plan.add"), type="primary", key="receivable.plan.save"
        ):
            return
    try:
        with transaction() as session:
            receivables.add_plan(session, actor=actor, contract_id=contract_id, values=values)
    except DomainError as exc:
        show_error(exc)
        return
    for f in fields:
        st.session_state.pop(form_key(PLAN, f), None)
    st.session_state[flash_key(RECEIVABLE)] = "records.saved"
    st.rerun()


def _plans_table(plans, paid) -> None:
    st.dataframe(
        {
            t("receivable.plan.period"): [str(p.period) for p in plans],
            t("receivable.plan.planned_amount"): [format_money(p.planned_amount) for p in plans],
            t("receivable.plan.planned_date"): [format_date(p.planned_date) for p in plans],
            t("receivable.plan.paid"): [format_money(paid.get(p.id, 0)) for p in plans],
            t("receivable.plan.status"): [
                t(f"receivable.plan.status_choices.{p.status}") for p in plans
            ],
            t("receivable.plan.remind_days"): [str(p.remind_days) for p in plans],
        },
        hide_index=True,
        width="stretch",
        key="receivable.contract_plans",
    )


def _receivables_table(rows) -> None:
    st.dataframe(
        {
            t("receivable.number"): [r.number for r in rows],
            t("receivable.received_date"): [format_date(r.received_date) for r in rows],
            t("receivable.method"): [r.method for r in rows],
            t("receivable.amount"): [format_money(r.amount) for r in rows],
            t("receivable.approval_status"): [
                t(f"sales_approval.status.{r.approval_status}") for r in rows
            ],
        },
        hide_index=True,
        width="stretch",
        key="receivable.contract_receivables",
    )


def contract_money_tab(actor: Actor, contract) -> None:
    """Plans and receivables of one contract, with forms to add them where allowed."""
    with transaction() as session:
        plans = receivables.plans_of(session, actor=actor, contract_id=contract.id)
        paid = receivables.paid_by_plan(session, [p.id for p in plans])
        rows = receivables.of_contract(session, actor=actor, contract_id=contract.id)
    can_create = actor.can("crm.receivable.create")
    st.markdown(f"**{t('receivable.plan.title')}**")
    if plans:
        _plans_table(plans, paid)
    else:
        st.caption(t("receivable.plan.none"))
    if can_create and contract.approval_status != ApprovalStatus.VOID:
        with st.popover(t("receivable.plan.new"), width="content"):
            _plan_form(actor, contract.id)
    st.markdown(f"**{t('receivable.title')}**")
    if rows:
        _receivables_table(rows)
    else:
        st.caption(t("receivable.none"))
    if not (can_create and contract.approval_status == ApprovalStatus.APPROVED):
        return
    if receivable_form_is_open(contract.id):
        receivable_form(actor)
    else:
        st.button(
            t("receivable.new"),
            key="receivable.new_for_contract",
            on_click=open_receivable_form,
            kwargs={"contract_id": contract.id},
        )
