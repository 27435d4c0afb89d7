"""Convention tests (DESIGN.md §1, §9): where streamlit and SQL may appear, no HTML rendering,
every literal i18n key exists, thin pages, no silent catch-alls, and a README in step with CI."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from core.i18n import DEFAULT_LOCALE, catalog

ROOT = Path(__file__).resolve().parent.parent
KEY_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _app_sources() -> list[Path]:
    """Every Python file of the application: app.py, core/ and pages/ (tests/, bench/ exempt)."""
    files = [ROOT / "app.py"] if (ROOT / "app.py").exists() else []
    for folder in ("core", "pages"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if "__pycache__" not in f.parts]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _under(path: Path, *prefixes: str) -> bool:
    rel = _rel(path)
    return any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in prefixes)


# --- (a) streamlit stays in the UI layer -------------------------------------------------

STREAMLIT_PACKAGES = ("streamlit", "streamlit_authenticator", "extra_streamlit_components")
STREAMLIT_ALLOWED = ("app.py", "pages/", "core/ui/", "core/auth.py")


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_streamlit_is_imported_only_by_app_pages_ui_and_auth():
    offenders = [
        f"{_rel(path)}:{line}: imports {module}"
        for path in _app_sources()
        if not _under(path, *STREAMLIT_ALLOWED)
        for line, module in _imported_modules(_tree(path))
        if module.split(".")[0] in STREAMLIT_PACKAGES
    ]
    assert not offenders, "streamlit outside app.py/pages/core.ui/core.auth:\n" + "\n".join(
        offenders
    )


# --- (b) SQL text only in core/bi and core/db.py ------------------------------------------

SQL_ALLOWED = ("core/bi/", "core/db.py", "core/migrations/versions/")
SQL_PATTERNS = [
    re.compile(r"\bSELECT\b[\s\S]*\bFROM\b"),
    re.compile(r"\bselect\s+(\*|count\s*\(|distinct\b)[\s\S]*\bfrom\b"),
    re.compile(r"\bINSERT\s+(OR\s+\w+\s+)?INTO\b", re.IGNORECASE),
    re.compile(r"\bUPDATE\s+[\w\".]+\s+SET\b", re.IGNORECASE),
    re.compile(r"\bDELETE\s+FROM\b", re.IGNORECASE),
    re.compile(r"\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|SCHEMA|VIEW)\b", re.IGNORECASE),
    re.compile(r"\bTRUNCATE\s+\S"),
    re.compile(r"\bCOPY\s+[\w\".]+[\s\S]*\bFROM\s+STDIN\b", re.IGNORECASE),
]
RAW_SQL_CALLS = {"text", "exec_driver_sql"}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _string_literals(tree: ast.AST):
    """(line, text) for every string literal but docstrings; f-strings with {…} placeholders."""
    skip = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip |= {id(v) for v in node.values}
            parts = [v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values]
            yield node.lineno, "".join(str(p) for p in parts)
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            yield node.lineno, node.value


def _sqlalchemy_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Names bound to sqlalchemy's raw-SQL functions, and names bound to sqlalchemy modules."""
    functions, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            functions |= {a.asname or a.name for a in node.names if a.name in RAW_SQL_CALLS}
        elif isinstance(node, ast.Import):
            modules |= {
                a.asname or a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            }
    return functions, modules


def _raw_sql_calls(tree: ast.AST):
    functions, modules = _sqlalchemy_names(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in functions:
            yield node.lineno, f"{func.id}(…)"
        elif isinstance(func, ast.Attribute) and func.attr == "exec_driver_sql":
            yield node.lineno, "exec_driver_sql(…)"
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "text"
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        ):
            yield node.lineno, f"{func.value.id}.text(…)"


def test_sql_text_lives_only_in_core_bi_and_core_db():
    offenders = []
    for path in _app_sources():
        if _under(path, *SQL_ALLOWED):
            continue
        tree = _tree(path)
        for line, value in _string_literals(tree):
            if any(p.search(value) for p in SQL_PATTERNS):
                offenders.append(f"{_rel(path)}:{line}: SQL string {value.strip()[:60]!r}")
        offenders += [f"{_rel(path)}:{line}: raw SQL {what}" for line, what in _raw_sql_calls(tree)]
    assert not offenders, (
        "SQL text outside core/bi and core/db.py (use SQLAlchemy expressions):\n"
        + ("\n".join(offenders))
    )


# --- (c) user text is never rendered as HTML ---------------------------------------------


def _html_rendering(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg == "unsafe_allow_html" and not (
                isinstance(kw.value, ast.Constant) and kw.value.value is False
            ):
                yield node.lineno, "unsafe_allow_html"
        if isinstance(node.func, ast.Attribute) and node.func.attr == "html":
            yield node.lineno, f"{ast.unparse(node.func)}(…)"


def test_no_code_renders_html_so_user_text_always_shows_as_text():
    offenders = [
        f"{_rel(path)}:{line}: {what}"
        for path in _app_sources()
        for line, what in _html_rendering(_tree(path))
    ]
    assert not offenders, "HTML rendering (user text must never render as HTML):\n" + "\n".join(
        offenders
    )


# --- (d) every literal translation key exists ----------------------------------------------


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _key_arguments(node: ast.Call) -> list[ast.expr]:
    """The arguments of a call that are translation keys by position or keyword name."""
    name = _call_name(node)
    positional = {"t": [0], "page_setup": [1], "PageEntry": [1, 2]}.get(name, [])
    args = [node.args[i] for i in positional if i < len(node.args)]
    return args + [kw.value for kw in node.keywords if kw.arg and kw.arg.endswith("_key")]


def _used_keys(tree: ast.AST):
    """(line, key, is_prefix): literal keys, and the literal prefix of f-string keys."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for arg in _key_arguments(node):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if KEY_SHAPE.match(arg.value):
                    yield node.lineno, arg.value, False
            elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                yield node.lineno, str(arg.values[0].value), True


def test_every_literal_translation_key_exists_in_the_simplified_chinese_catalog():
    keys = catalog(DEFAULT_LOCALE)
    missing = []
    for path in _app_sources():
        for line, key, is_prefix in _used_keys(_tree(path)):
            found = any(k.startswith(key) for k in keys) if is_prefix else key in keys
            if not found:
                missing.append(f"{_rel(path)}:{line}: {key}{'…' if is_prefix else ''}")
    assert not missing, "keys missing from catalogs/zh_Hans:\n" + "\n".join(missing)


def test_every_domain_error_carries_a_key_in_the_catalog():
    from core import errors

    keys = catalog(DEFAULT_LOCALE)
    classes = [
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.DomainError)
    ]
    missing = [f"{c.__name__}: {c.key}" for c in classes if c.key not in keys]
    assert not missing, "error keys missing from catalogs/zh_Hans:\n" + "\n".join(missing)


# --- (e) pages are thin ------------------------------------------------------------------

MAX_PAGE_LINES = 100
QUERY_METHODS = {"execute", "scalars", "scalar", "query", "exec_driver_sql"}


def _page_problems(path: Path) -> list[str]:
    problems = []
    lines = path.read_text(encoding="utf-8").count("\n") + 1
    if lines > MAX_PAGE_LINES:
        problems.append(f"{lines} lines (max {MAX_PAGE_LINES}): move logic into core/")
    tree = _tree(path)
    for line, module in _imported_modules(tree):
        if module.split(".")[0] == "sqlalchemy":
            problems.append(f"line {line}: imports {module}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Name) and node.func.id == "select")
            or (isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS)
        ):
            problems.append(f"line {node.lineno}: {ast.unparse(node.func)}(…) queries the store")
    return problems


def test_pages_are_thin_and_leave_queries_to_core():
    offenders = [
        f"{_rel(path)}: {problem}"
        for path in sorted((ROOT / "pages").rglob("*.py"))
        for problem in _page_problems(path)
    ]
    assert not offenders, "pages must be layout + calls into core:\n" + "\n".join(offenders)


# --- (f) no silent catch-alls ------------------------------------------------------------

CATCH_ALL = {"Exception", "BaseException"}
NOQA_WITH_REASON = re.compile(r"#\s*noqa:[\sA-Z0-9,]*BLE001\W+\w{3,}")


def _is_catch_all(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(ast.unparse(t).split(".")[-1] in CATCH_ALL for t in types)


def _reraises(handler: ast.ExceptHandler) -> bool:
    return any(isinstance(s, ast.Raise) and s.exc is None for s in handler.body)


def test_catch_all_except_carries_a_noqa_reason_or_reraises():
    offenders = []
    for path in _app_sources():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.ExceptHandler) or not _is_catch_all(node):
                continue
            if not _reraises(node) and not NOQA_WITH_REASON.search(lines[node.lineno - 1]):
                offenders.append(f"{_rel(path)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not offenders, (
        "catch-all except without `# noqa: BLE001 — <why>` (catch the named error instead):\n"
        + "\n".join(offenders)
    )
