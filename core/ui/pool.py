"""Pool page parts (CUS-5): the pool picker with the actor's figures, the selected customer's panel
with claim and assign, bulk claim / assign, the pool history and the "about to return" list.
`release_form` puts customers back into a pool from any page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.config import PROJECT_ROOT
from core.db import transaction
from core.errors import DomainError, NotFound
from core.i18n import format_datetime, format_number, t
from core.permissions import Actor
from core.services import pool_queries, pools, records
from core.services.lookups import option_choices, user_choices
from core.services.pool_queries import POOL_CUSTOMER, Overview
from core.services.pool_recall import customers_about_to_return, reason_parts
from core.ui.bulk_bar import ExtraActions, clear_checked
from core.ui.context import show_error
from core.ui.record_detail import record_detail
from core.ui.record_form import selected_key
from core.ui.submit_guard import already_saved, mark_saved, new_token

FLASH = "pool.flash"
PENDING = "pool.bulk.pending"
POOL = "pool.pool_id"
CUSTOMERS_PAGE = "pages/crm/customers.py"


def reason_text(kind: str, reason: str) -> str:
    """A stored reason for the screen; the recall job's coded reasons are translated."""
    parts = reason_parts(reason or "") if kind == "recall" else None
    return t(f"pool.recall.{parts[0]}", days=parts[1]) if parts else (reason or "")


def _run(action: Callable, flash: tuple[str, dict], **kwargs) -> None:
    """One pool action in one transaction; success → flash message and a fresh run."""
    try:
        with transaction() as session:
            action(session, **kwargs)
    except DomainError as exc:
        show_error(exc)
        return
    _done(flash)


def _done(flash: tuple[str, dict]) -> None:
    """After a successful move: the message, no open panel, no ticked rows, a fresh run."""
    st.session_state[FLASH] = flash
    st.session_state.pop(selected_key(POOL_CUSTOMER), None)
    clear_checked(POOL_CUSTOMER)
    st.rerun()


def show_flash() -> None:
    flash = st.session_state.pop(FLASH, None)
    if not flash:
        return
    key, params = flash
    st.success(t(key, **params))
    if key.startswith("pool.claimed") and (PROJECT_ROOT / CUSTOMERS_PAGE).exists():
        st.page_link(CUSTOMERS_PAGE, label=t("pool.go_to_customers"))


def pool_picker(actor: Actor) -> int | None:
    """The pools the actor works in (a select box when there are several); None: no pool."""
    with transaction() as session:
        found = {p.id: p.name for p in pools.visible_pools(session, actor=actor)}
    if not found:
        st.info(t("pool.no_pool"))
        return None
    if st.session_state.get(POOL) not in found:
        st.session_state[POOL] = next(iter(found))
    if len(found) > 1:
        st.selectbox(t("pool.choose_pool"), list(found), format_func=found.get, key=POOL)
    return st.session_state[POOL]


def _of(n: int, limit: int) -> str:
    if not limit:
        return f"{format_number(n)} / {t('pool.unlimited')}"
    return t("pool.of_limit", n=format_number(n), limit=format_number(limit))


def figures(actor: Actor, pool_id: int) -> Overview:
    """Customers waiting, today's claims and owned customers against the pool's limits."""
    with transaction() as session:
        view = pool_queries.overview(session, actor=actor, pool_id=pool_id)
    waiting, today, owned, note = st.columns([1, 1, 1, 2], vertical_alignment="bottom")
    waiting.metric(t("pool.waiting"), format_number(view.waiting))
    today.metric(t("pool.claimed_today"), _of(view.claimed_today, view.daily_limit))
    owned.metric(t("pool.owned"), _of(view.owned, view.owned_limit))
    days = view.cooldown_days
    note.caption(t("pool.cooldown", days=days) if days else t("pool.no_cooldown"))
    return view


def _assign_controls(actor: Actor, ids: list[int], key: str, users: dict[int, str]) -> None:
    to_user = st.selectbox(
        t("pool.assign_to"),
        list(users),
        index=None,
        format_func=users.get,
        key=f"{key}.to",
        placeholder=t("records.choose"),
    )
    if st.button(t("pool.assign"), key=f"{key}.assign", disabled=to_user is None):
        _assign(actor, ids, to_user, users.get(to_user, ""))


def _assign(actor: Actor, ids: list[int], to_user: int, name: str) -> None:
    key = "pool.assigned_many" if len(ids) > 1 else "pool.assigned"
    flash = (key, {"n": len(ids), "name": name})
    _run(pools.assign, flash, actor=actor, customer_ids=ids, user_id=to_user)


def _claim(actor: Actor, ids: list[int], token_key: str) -> None:
    """Claim once per opened panel: a double click reruns into the already-saved guard."""
    token = st.session_state.setdefault(token_key, new_token())
    if already_saved(st.session_state, token):
        return
    try:
        with transaction() as session:
            pools.claim_many(session, actor=actor, customer_ids=ids)
        mark_saved(st.session_state, token)
    except DomainError as exc:
        show_error(exc)
        return
    st.session_state.pop(token_key, None)
    many = len(ids) > 1
    _done(("pool.claimed_many" if many else "pool.claimed", {"n": len(ids)}))


def _customer_history(actor: Actor, customer_id: int) -> None:
    with transaction() as session:
        rows = pool_queries.customer_history(session, actor=actor, customer_id=customer_id)
    _history_table(rows, key=f"pool.customer_history.{customer_id}")


def customer_panel(actor: Actor, view: Overview, customer_id: int) -> None:
    """The selected pool customer: fields, its pool history, claim / assign / close."""
    try:
        with transaction() as session:
            record = records.get_visible(
                session, actor=actor, spec=POOL_CUSTOMER, record_id=customer_id
            )
            users = dict(user_choices(session))
    except NotFound:
        record = None
    if record is None or record.owner_id is not None or record.pool_id != view.pool_id:
        st.session_state.pop(selected_key(POOL_CUSTOMER), None)
        return
    with st.container(border=True):
        tabs = [(t("pool.history_customer"), lambda: _customer_history(actor, record.id))]
        record_detail(POOL_CUSTOMER, actor, record, history=False, tabs=tabs)
        claim_col, assign_col, close_col = st.columns([1, 3, 1], vertical_alignment="bottom")
        if view.may_claim and claim_col.button(
            t("pool.claim"), key="pool.claim", type="primary", width="stretch"
        ):
            _claim(actor, [record.id], f"pool.claim_token.{record.id}")
        if view.may_assign:
            with assign_col:
                _assign_controls(actor, [record.id], "pool.one", users)
        if close_col.button(t("records.close"), key="pool.close", width="stretch"):
            st.session_state.pop(selected_key(POOL_CUSTOMER), None)
            st.rerun()


def bulk_actions(actor: Actor, view: Overview) -> ExtraActions:
    """Claim / assign for the rows ticked in the list (the list's bulk bar shows them). The
    controls only note the request; `run_bulk` carries it out below the list, full width."""

    def claim_button(ids: list[int]) -> None:
        if st.button(t("pool.claim"), key="pool.bulk.claim", type="primary", width="stretch"):
            st.session_state[PENDING] = ("claim", list(ids), None)

    def assign_popover(ids: list[int]) -> None:
        with st.popover(t("pool.assign"), width="stretch"):
            with transaction() as session:
                users = dict(user_choices(session))
            to_user = st.selectbox(
                t("pool.assign_to"),
                list(users),
                index=None,
                format_func=users.get,
                key="pool.bulk.to",
                placeholder=t("records.choose"),
            )
            if st.button(
                t("pool.assign_confirm"),
                key="pool.bulk.assign",
                type="primary",
                disabled=to_user is None,
            ):
                st.session_state[PENDING] = ("assign", list(ids), (to_user, users[to_user]))

    def build(ids: list[int]) -> list[Callable[[], None]]:
        found = []
        if view.may_claim:
            found.append(lambda: claim_button(ids))
        if view.may_assign:
            found.append(lambda: assign_popover(ids))
        return found

    return build


def run_bulk(actor: Actor) -> None:
    """Carry out a claim / assign requested from the bulk bar (all or nothing)."""
    pending = st.session_state.pop(PENDING, None)
    if not pending:
        return
    kind, ids, target = pending
    if kind == "claim":
        _claim(actor, ids, "pool.bulk.token")
    else:
        _assign(actor, ids, *target)


def _history_table(rows, *, key: str) -> None:
    if not rows:
        st.caption(t("pool.history_empty"))
        return
    data = {
        t("pool.history.when"): [format_datetime(r.happened_at) for r in rows],
        t("pool.history.customer"): [r.customer_name for r in rows],
        t("pool.history.kind"): [t(f"pool.kind.{r.kind}") for r in rows],
        t("pool.history.actor"): [r.actor_name or t("pool.system") for r in rows],
        t("pool.history.from"): [r.from_name for r in rows],
        t("pool.history.to"): [r.to_name for r in rows],
        t("pool.history.reason"): [reason_text(r.kind, r.reason) for r in rows],
    }
    st.dataframe(data, hide_index=True, width="stretch", key=key)


def pool_history(actor: Actor, pool_id: int) -> None:
    kinds = ("claim", "assign", "release", "recall")
    column, _ = st.columns([2, 3])
    chosen = column.multiselect(
        t("pool.history.kind"),
        kinds,
        format_func=lambda k: t(f"pool.kind.{k}"),
        key="pool.history.kinds",
        placeholder=t("pool.all_kinds"),
    )
    with transaction() as session:
        rows = pool_queries.pool_history(session, actor=actor, pool_id=pool_id, kinds=tuple(chosen))
    _history_table(rows, key="pool.history.table")


def returning(actor: Actor) -> None:
    """The actor's (and team's, by scope) customers about to return to the pool."""
    if not actor.can("crm.customer.view"):
        return
    column, _ = st.columns([1, 3])
    days = column.selectbox(
        t("pool.returning_days"),
        [None, 7, 15, 30],
        format_func=lambda d: t("pool.returning_default") if d is None else str(d),
        key="pool.returning.days",
    )
    with transaction() as session:
        found = customers_about_to_return(session, actor=actor, within_days=days)
        users = dict(user_choices(session))
        levels = dict(option_choices(session, "customer_level"))
    if not found:
        st.caption(t("pool.returning_empty"))
        return
    st.caption(t("pool.returning_hint"))
    data = {
        t("pool.returning.customer"): [r.name for r in found],
        t("pool.returning.owner"): [users.get(r.owner_id, "") for r in found],
        t("pool.returning.level"): [levels.get(r.level, r.level) for r in found],
        t("pool.returning.due"): [format_datetime(r.due_at) for r in found],
        t("pool.returning.left"): [
            t("pool.overdue") if r.days_left <= 0 else t("pool.in_days", days=r.days_left)
            for r in found
        ],
        t("pool.returning.reason"): [reason_text("recall", r.reason) for r in found],
    }
    st.dataframe(data, hide_index=True, width="stretch", key="pool.returning.table")


def release_form(actor: Actor, customer_ids: list[int], *, key: str) -> None:
    """放入公海 for any page: a reason, the target pool (default: the customer's own pool) and a
    confirm button; on success the page reruns with the pool's flash message."""
    with transaction() as session:
        choices = {p.id: p.name for p in pools.visible_pools(session, actor=actor)}
    with st.form(f"{key}.release", border=False, clear_on_submit=False):
        reason = st.text_input(t("pool.release_reason"), max_chars=200, key=f"{key}.reason")
        pool_id = st.selectbox(
            t("pool.release_pool"),
            [None, *choices],
            format_func=lambda p: t("pool.release_own_pool") if p is None else choices[p],
            key=f"{key}.pool",
        )
        if st.form_submit_button(t("pool.release_confirm"), type="primary"):
            _run(
                pools.release,
                ("pool.release_done", {}),
                actor=actor,
                customer_ids=customer_ids,
                reason=reason,
                pool_id=pool_id,
            )
