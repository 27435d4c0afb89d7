"""The README stays true: two Quick start commands (CI runs the test one verbatim), every
setting and dependency explained, every feature ID in the matrix, a small screenshot."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FEATURE_IDS = (
    [f"OFF-{i}" for i in range(1, 10)]
    + [f"CUS-{i}" for i in range(1, 13)]
    + [f"BI-{i}" for i in range(1, 8)]
    + [f"PLT-{i}" for i in range(1, 7)]
)
STATUSES = {"done", "partial", "not yet"}


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def _quick_start_commands() -> list[str]:
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", _section("Quick start"), re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_quick_start_has_exactly_two_commands_one_starts_the_app_one_runs_the_tests():
    commands = _quick_start_commands()
    assert len(commands) == 2, commands
    start, test = commands
    assert "pip install -r requirements.txt" in start and "streamlit run app.py" in start
    assert "pip install -r requirements-dev.txt" in test and "pytest" in test


def test_ci_runs_exactly_the_readme_test_command():
    test_command = _quick_start_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert any(line.startswith(test_command) for line in ci_lines), (
        f".ci/run must run the README's test command verbatim: {test_command!r}"
    )


def test_every_setting_is_documented_as_variable_and_secrets_key():
    section = _section("Configuration")
    missing = [
        f"CRM_{f.name.upper()} / {f.name}"
        for f in dataclasses.fields(Settings)
        if f"`CRM_{f.name.upper()}`" not in section or f"`{f.name}`" not in section
    ]
    assert not missing, "settings missing from README Configuration:\n" + "\n".join(missing)


def _requirements() -> list[str]:
    names = []
    for file in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / file).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                names.append(re.split(r"[=<>~!; ]", line, maxsplit=1)[0])
    return names


def test_every_dependency_has_a_line_saying_why():
    section = _section("Dependencies")
    missing = [name for name in _requirements() if f"| `{name}` |" not in section]
    assert not missing, "dependencies without a README line:\n" + "\n".join(missing)


def test_feature_matrix_gives_every_feature_id_exactly_one_status():
    rows = re.findall(r"^\| ([A-Z]+-\d+) \|[^|]*\| ([^|]+?) \|", _section("Feature matrix"), re.M)
    listed = [feature for feature, _ in rows]
    assert sorted(listed) == sorted(FEATURE_IDS), set(listed) ^ set(FEATURE_IDS)
    bad = [f"{feature}: {status}" for feature, status in rows if status not in STATUSES]
    assert not bad, "unknown status (done / partial / not yet):\n" + "\n".join(bad)


def test_readme_screenshot_exists_and_is_small():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images, "README shows no screenshot"
    for image in images:
        path = ROOT / image
        assert path.exists(), f"{image} is missing"
        assert path.stat().st_size < 500_000, f"{image} is {path.stat().st_size} bytes"
