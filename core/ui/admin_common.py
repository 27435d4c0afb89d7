"""Pieces shared by the settings screens: messages that survive a rerun, translated field errors,
and choice lists for departments and users."""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError, ValidationFailed
from core.i18n import t
from core.services.org import DepartmentNode

_FLASH = "_settings_flash"
INDENT = "\u3000"  # a full-width space indents the department tree evenly in CJK fonts


def flash(message: str) -> None:
    """A success message shown after the rerun that clears the form."""
    st.session_state[_FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def clear_inputs(prefix: str) -> None:
    """Forget the widgets whose key starts with `prefix`, so the form opens empty again."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def show_domain_error(exc: DomainError, labels: dict[str, str]) -> None:
    """A translated error; for invalid input, one line per field with the field's label."""
    if isinstance(exc, ValidationFailed):
        lines = [
            f"{labels.get(field, field)}：{t(key, **params)}"
            for field, (key, params) in exc.errors.items()
        ]
        st.error("\n\n".join([t(exc.key), *lines]))
    else:
        st.error(t(exc.key, **exc.params))


def run_action(action, message: str, labels: dict[str, str], clear: str | None = None) -> None:
    """Run `action(session)` in one transaction; on success forget the form's inputs (`clear`
    prefix), remember the message and rerun; on a domain error show it and keep the input."""
    from core.db import transaction

    try:
        with transaction() as s:
            action(s)
    except DomainError as exc:
        show_domain_error(exc, labels)
        return
    if clear:
        clear_inputs(clear)
    flash(message)
    st.rerun()


def department_label(nodes: list[DepartmentNode]):
    """A format_func that shows departments indented by depth (None = no department)."""
    by_id = {n.id: n for n in nodes}

    def label(dep_id: int | None) -> str:
        if dep_id is None:
            return t("settings.common.none")
        node = by_id.get(dep_id)
        return f"{INDENT * node.depth}{node.name}" if node else str(dep_id)

    return label


def department_choices(nodes: list[DepartmentNode]) -> list[int | None]:
    return [None, *(n.id for n in nodes)]


def index_of(options: list, value) -> int:
    return options.index(value) if value in options else 0
