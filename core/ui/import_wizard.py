"""The import wizard (CUS-11): entity and template, upload, column mapping with a preview, the
duplicate rule and default owner, a check with progress that lists every bad row (downloadable
with its reason), and the all-or-nothing import."""

from __future__ import annotations

import streamlit as st

from core.bi.mirror import mark_dirty
from core.db import transaction
from core.entities import EntitySpec, Kind
from core.errors import DomainError
from core.i18n import t
from core.io import importer, reader, templates
from core.io.import_rules import available_rules
from core.io.importer import DuplicateMode, ImportPlan
from core.permissions import Actor
from core.services.lookups import option_choices, user_choices
from core.ui.context import show_error

K = "import."
PREVIEW_ROWS = 10
ERRORS_SHOWN = 200


def _progress(bar):
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)


def _entity(actor: Actor) -> EntitySpec | None:
    rules = {r.entity: r.spec for r in available_rules(actor)}
    if not rules:
        st.info(t("error.not_allowed"))
        return None
    name = st.columns([1, 2])[0].selectbox(
        t("import.entity"), list(rules), key=K + "entity", on_change=_forget,
        format_func=lambda n: t(rules[n].title_key),
    )  # fmt: skip
    return rules[name]


def _forget() -> None:
    for key in ("table", "plan", "token", "result"):
        st.session_state.pop(K + key, None)


def _templates(spec: EntitySpec) -> None:
    st.markdown(f"**{t('import.step_template')}**")
    with transaction() as session:
        options = {
            f.name: [label for _, label in option_choices(session, f.options)]
            for f in templates.importable_fields(spec)
            if f.kind == Kind.OPTION
        }
    xlsx_col, csv_col, _ = st.columns([1, 1, 3])
    name = t(spec.title_key)
    xlsx_col.download_button(
        t("import.template_xlsx"), templates.template_xlsx(spec, options),
        file_name=f"{name}_{t('import.title')}.xlsx", key=K + "template_xlsx",
        on_click="ignore", width="stretch",
    )  # fmt: skip
    csv_col.download_button(
        t("import.template_csv"), templates.template_csv(spec),
        file_name=f"{name}_{t('import.title')}.csv", mime="text/csv", key=K + "template_csv",
        on_click="ignore", width="stretch",
    )  # fmt: skip


def _upload() -> reader.Table | None:
    st.markdown(f"**{t('import.step_upload')}**")
    uploaded = st.file_uploader(
        t("import.file"), type=["csv", "xlsx"], key=f"{K}file.{st.session_state.get(K + 'gen', 0)}",
        on_change=_forget,
        max_upload_size=reader.MAX_BYTES // (1024 * 1024),
    )  # fmt: skip
    if uploaded is None:
        return None
    if st.session_state.get(K + "token") != uploaded.file_id:
        bar = st.progress(0.0, text=t("import.progress.reading"))
        try:
            table = reader.read_table(uploaded.getvalue(), uploaded.name)
        except DomainError as exc:
            bar.empty()
            show_error(exc)
            return None
        bar.empty()
        st.session_state[K + "table"], st.session_state[K + "token"] = table, uploaded.file_id
    table = st.session_state[K + "table"]
    st.caption(t("import.read_summary", rows=len(table.rows), columns=len(table.headers),
                 encoding=table.encoding.upper()))  # fmt: skip
    return table


def _mapping(spec: EntitySpec, table: reader.Table) -> dict[int, str]:
    st.markdown(f"**{t('import.step_mapping')}**")
    fields = {f.name: f for f in templates.importable_fields(spec)}
    auto = templates.auto_mapping(spec, table.headers)
    token = st.session_state.get(K + "token", "")
    mapping: dict[int, str] = {}
    columns = st.columns(3)
    for index, header in enumerate(table.headers):
        sample = next((str(r[index]) for r in table.rows if r[index] not in (None, "")), "")
        with columns[index % 3]:
            chosen = st.selectbox(
                header or f"#{index + 1}", ["", *fields], key=f"{K}map.{token}.{index}",
                index=([""] + list(fields)).index(auto.get(index, "")),
                format_func=lambda n: t(fields[n].label) if n else t("import.ignore"),
                help=f"{t('import.sample')}: {sample[:60]}" if sample else None,
            )  # fmt: skip
        if chosen:
            mapping[index] = chosen
    return mapping


def _preview(spec: EntitySpec, table: reader.Table, mapping: dict[int, str]) -> None:
    data = {
        t(spec.field(name).label): [
            "" if r[i] is None else str(r[i]) for r in table.rows[:PREVIEW_ROWS]
        ]
        for i, name in mapping.items()
    }
    st.caption(t("import.preview", n=min(PREVIEW_ROWS, len(table.rows))))
    st.dataframe(data, hide_index=True, width="stretch", key=K + "preview")


def _options(spec: EntitySpec, actor: Actor) -> tuple[DuplicateMode, int | None]:
    mode_col, owner_col = st.columns(2)
    mode = mode_col.radio(
        t("import.duplicates"), list(DuplicateMode), key=K + "mode",
        format_func=lambda m: t(f"import.mode.{m}"),
    )  # fmt: skip
    owner = None
    if spec.owned:
        with transaction() as session:
            users = dict(user_choices(session))
        owner = owner_col.selectbox(
            t("import.default_owner"), list(users), key=K + "owner", format_func=users.get,
            index=list(users).index(actor.user_id) if actor.user_id in users else 0,
        )  # fmt: skip
    return DuplicateMode(mode), owner


def _check(spec, actor, table, mapping, mode, owner) -> None:
    bar = st.progress(0.0, text=t("import.progress.checking"))
    try:
        with transaction() as session:
            plan = importer.prepare(
                session, actor=actor, entity=spec.name, table=table, mapping=mapping, mode=mode,
                default_owner=owner, progress=_progress(bar),
            )  # fmt: skip
    except DomainError as exc:
        bar.empty()
        show_error(exc)
        return
    bar.empty()
    st.session_state[K + "plan"] = plan
    st.session_state[K + "plan_for"] = repr((mapping, mode, owner))


def _errors(plan: ImportPlan) -> None:
    st.error(t("import.has_errors", n=len(plan.errors)))
    shown = plan.errors[:ERRORS_SHOWN]
    st.dataframe(
        {t("import.errors.row"): [e.row for e in shown],
         t("import.errors.reason"): [e.reason for e in shown]},
        hide_index=True, width="stretch", key=K + "errors",
    )  # fmt: skip
    st.download_button(
        t("import.download_errors"), importer.errors_csv(plan), file_name="import_errors.csv",
        mime="text/csv", key=K + "errors_csv", on_click="ignore",
    )  # fmt: skip


def _commit(actor: Actor, plan: ImportPlan) -> None:
    bar = st.progress(0.0, text=t("import.progress.writing", done=0))
    try:
        with transaction() as session:
            result = importer.commit(session, actor=actor, plan=plan, progress=_progress(bar))
    except DomainError as exc:
        bar.empty()
        show_error(exc)
        return
    mark_dirty()  # bulk statements bypass the session hook that tells BI about writes
    _forget()
    st.session_state[K + "gen"] = st.session_state.get(K + "gen", 0) + 1  # a fresh uploader
    st.session_state[K + "result"] = result
    st.rerun()


def _summary(actor: Actor, plan: ImportPlan) -> None:
    if not plan.ok:  # nothing will be written: the counts of good rows would only mislead
        _errors(plan)
        return
    st.info(t("import.checked", total=plan.total, inserts=len(plan.inserts),
              updates=len(plan.updates), skipped=len(plan.skipped)))  # fmt: skip
    if plan.inserts or plan.updates:
        if st.button(t("import.start"), key=K + "start", type="primary"):
            _commit(actor, plan)
    else:
        st.warning(t("import.nothing"))


def import_wizard(actor: Actor) -> None:
    result = st.session_state.pop(K + "result", None)
    if result is not None:
        st.success(t("import.done", created=result.created, updated=result.updated,
                     skipped=result.skipped))  # fmt: skip
    spec = _entity(actor)
    if spec is None:
        return
    _templates(spec)
    table = _upload()
    if table is None:
        return
    mapping = _mapping(spec, table)
    missing = templates.missing_required(spec, mapping)
    if missing:
        st.warning(t("import.missing_required", fields="、".join(t(f.label) for f in missing)))
    if mapping:
        _preview(spec, table, mapping)
    st.markdown(f"**{t('import.step_check')}**")
    mode, owner = _options(spec, actor)
    if st.button(t("import.check"), key=K + "check", disabled=not mapping or bool(missing)):
        _check(spec, actor, table, mapping, mode, owner)
    plan = st.session_state.get(K + "plan")
    fresh = st.session_state.get(K + "plan_for") == repr((mapping, mode, owner))
    if plan is not None and plan.entity == spec.name and fresh:  # a changed choice: check again
        _summary(actor, plan)
