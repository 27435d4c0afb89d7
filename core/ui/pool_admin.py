"""Pool settings parts (CUS-5): the pool chooser with a new-pool form, and per pool its limits,
its members and admins, and its recall rules per customer level."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.db import transaction
from core.errors import DomainError, ValidationFailed
from core.i18n import t
from core.models import Pool
from core.permissions import Actor
from core.services import org, pool_settings
from core.services.lookups import option_choices, user_choices
from core.services.pool_settings import LIMITS, RuleInput
from core.ui.context import show_error

CHOSEN = "pool_admin.pool_id"
PENDING = "pool_admin.choose_next"
FLASH = "pool_admin.flash"
INDENT = "\u3000"


def _errors(exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed):
        st.error(t("error.validation_failed"))
        for _field, (key, params) in exc.errors.items():
            st.caption(f":red[{t(key, **params)}]")
    else:
        show_error(exc)


def _run(action: Callable, **kwargs) -> None:
    try:
        with transaction() as session:
            result = action(session, **kwargs)
            new_id = result.id if isinstance(result, Pool) else None
    except DomainError as exc:
        _errors(exc)
        return
    if new_id is not None and action is pool_settings.create_pool:
        st.session_state[PENDING] = new_id  # chosen before the radio renders next run
    st.session_state[FLASH] = True
    st.rerun()


def _label(pool: Pool) -> str:
    marks = t("pool.settings.default_mark") if pool.is_default else ""
    marks += "" if pool.is_active else t("pool.settings.inactive_mark")
    return f"{pool.name}{marks}"


def pool_chooser(actor: Actor) -> Pool | None:
    """The pools as a radio list and a form for a new one; returns the chosen pool."""
    if st.session_state.pop(FLASH, False):
        st.toast(t("pool.settings.saved"))
    with transaction() as session:
        found = {p.id: p for p in pool_settings.list_pools(session, actor=actor)}
    pending = st.session_state.pop(PENDING, None)
    if pending in found:
        st.session_state[CHOSEN] = pending
    if found and st.session_state.get(CHOSEN) not in found:
        st.session_state[CHOSEN] = next(iter(found))
    st.caption(t("pool.settings.choose"))
    chosen = st.radio(
        t("pool.settings.choose"),
        list(found),
        format_func=lambda i: _label(found[i]),
        key=CHOSEN,
        label_visibility="collapsed",
    )
    new = st.expander(t("pool.settings.new"))
    with new, st.form("pool_admin.new", clear_on_submit=True, border=False):
        name = st.text_input(t("pool.settings.new_name"), max_chars=100, key="pool_admin.name")
        if st.form_submit_button(t("pool.settings.new"), type="primary"):
            _run(pool_settings.create_pool, actor=actor, name=name)
    return found.get(chosen)


def basic_form(actor: Actor, pool: Pool) -> None:
    """Name, switches and limits (0 = no limit)."""
    key = f"pool_admin.{pool.id}"
    with st.form(f"{key}.basic", border=False):
        values: dict = {"name": st.text_input(t("pool.settings.name"), pool.name, max_chars=100)}
        left, right = st.columns(2)
        for i, name in enumerate(("is_active", "is_default", "recall_enabled", "exempt_dealt")):
            column = left if i % 2 == 0 else right
            values[name] = column.toggle(
                t(f"pool.settings.{name}"), getattr(pool, name), key=f"{key}.{name}"
            )
        for i, (name, (low, high)) in enumerate(LIMITS.items()):
            column = left if i % 2 == 0 else right
            values[name] = column.number_input(
                t(f"pool.settings.{name}"),
                min_value=low,
                max_value=high,
                value=int(getattr(pool, name)),
                step=1,
                key=f"{key}.{name}",
                help=t("pool.settings.help_zero") if name != "warn_days" else None,
            )
        if st.form_submit_button(t("settings.common.save"), type="primary"):
            values = {k: int(v) if k in LIMITS else v for k, v in values.items()}
            _run(pool_settings.update_pool, actor=actor, pool_id=pool.id, values=values)


def members_form(actor: Actor, pool: Pool) -> None:
    """Member users, member departments and pool admins, saved together."""
    key = f"pool_admin.{pool.id}"
    with transaction() as session:
        now = pool_settings.members(session, pool_id=pool.id)
        users = dict(user_choices(session))
        deps = {d.id: f"{INDENT * d.depth}{d.name}" for d in org.department_tree(session)}
    st.caption(t("pool.settings.members_hint"))
    with st.form(f"{key}.members", border=False):
        admins = st.multiselect(
            t("pool.settings.admins"),
            list(users),
            default=sorted(now.admin_ids & users.keys()),
            format_func=users.get,
            key=f"{key}.admins",
            placeholder=t("records.choose"),
        )
        members = st.multiselect(
            t("pool.settings.member_users"),
            list(users),
            default=sorted((now.user_ids - now.admin_ids) & users.keys()),
            format_func=users.get,
            key=f"{key}.users",
            placeholder=t("records.choose"),
        )
        departments = st.multiselect(
            t("pool.settings.member_departments"),
            list(deps),
            default=sorted(now.department_ids & deps.keys()),
            format_func=lambda d: deps[d].strip(),
            key=f"{key}.departments",
            placeholder=t("records.choose"),
        )
        if st.form_submit_button(t("pool.settings.save_members"), type="primary"):
            _run(
                pool_settings.set_members,
                actor=actor,
                pool_id=pool.id,
                user_ids=members,
                department_ids=departments,
                admin_ids=admins,
            )


def _days(label: str, value, key: str):
    return st.number_input(
        label,
        min_value=0,
        max_value=pool_settings.MAX_DAYS,
        value=value,
        step=1,
        key=key,
        label_visibility="collapsed",
    )


def rules_form(actor: Actor, pool: Pool) -> None:
    """Days without follow-up / deal per customer level; empty or 0 switches a condition off."""
    key = f"pool_admin.{pool.id}.rules"
    with transaction() as session:
        levels = dict(option_choices(session, "customer_level"))
        existing = {r.customer_level: r for r in pool_settings.rules(session, pool_id=pool.id)}
    levels = {"": t("pool.settings.all_levels")} | levels
    for level in existing:
        levels.setdefault(level, level)  # a level switched off in the option list keeps its rule
    st.caption(t("pool.settings.rules_hint"))
    with st.form(key, border=False):
        head = st.columns([2, 1, 1])
        for column, text in zip(
            head,
            ("level", "days_without_followup", "days_without_deal"),
            strict=True,
        ):
            column.caption(t(f"pool.settings.{text}"))
        rows = []
        for i, (level, label) in enumerate(levels.items()):
            rule = existing.get(level)
            name_col, followup_col, deal_col = st.columns([2, 1, 1], vertical_alignment="center")
            name_col.text(label)
            with followup_col:
                followup = _days(
                    t("pool.settings.days_without_followup"),
                    rule.days_without_followup if rule else None,
                    f"{key}.{i}.followup",
                )
            with deal_col:
                deal = _days(
                    t("pool.settings.days_without_deal"),
                    rule.days_without_deal if rule else None,
                    f"{key}.{i}.deal",
                )
            rows.append(RuleInput(level, int(followup or 0), int(deal or 0)))
        if st.form_submit_button(t("pool.settings.save_rules"), type="primary"):
            _run(pool_settings.set_rules, actor=actor, pool_id=pool.id, new_rules=rows)
