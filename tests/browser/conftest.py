"""Browser fixtures: Debian's Chromium through Playwright (never `playwright install`) against
`streamlit run app.py` on a fresh demo store; a screenshot of every open tab when a test fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
FIRST_START_TIMEOUT_S = 300  # schema + demo data at scale S on a busy 2-core machine
HEALTH_TIMEOUT_S = 60


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("browser tests need playwright (pip install -r requirements-dev.txt)")
    if not Path(CHROMIUM).exists():
        skip_or_fail(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    pw.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(
        f"streamlit did not answer /_stcore/health in {HEALTH_TIMEOUT_S} s:\n{_log_tail(log)}"
    )


def _wait_first_start(browser, url: str, log: Path) -> None:
    """Streamlit runs app.py only for a connected browser: open a throwaway tab and wait until
    the first start (schema + demo data) ends in the login form."""
    context = browser.new_context()
    page = context.new_page()
    done = page.locator("input[type='password'], [data-testid='stException']").first
    try:
        page.goto(url)
        done.wait_for(timeout=FIRST_START_TIMEOUT_S * 1000)
        failure = page.locator("[data-testid='stException']").all_inner_texts()
    except Exception as exc:  # noqa: BLE001 — any failure here is reported with the server log
        failure = [str(exc)]
    if failure:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "FAILED-first-start.png")
        context.close()
        pytest.fail(
            f"first start did not reach the login form: {failure[0][:2000]}\n{_log_tail(log)}"
        )
    context.close()


@dataclass(frozen=True)
class Server:
    url: str
    log: Path


@pytest.fixture(scope="session")
def app_server(browser, tmp_path_factory):
    """`streamlit run app.py` on a fresh demo store (scale S), stopped at the end."""
    if not (ROOT / "app.py").exists():
        skip_or_fail("browser tests need app.py")
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {
        **os.environ,
        "CRM_DATABASE_URL": f"sqlite:///{data_dir / 'crm.db'}",
        "CRM_DATA_DIR": str(data_dir),
        "CRM_MIRROR_PATH": str(data_dir / "mirror.duckdb"),
        "CRM_DEMO_DATA": "on",
        "CRM_DEMO_SCALE": "S",
        "CRM_LOGIN_SLEEP_TIME": "0",
        "CRM_DEFAULT_LOCALE": "zh_Hans",
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"streamlit-browser-test-{port}.log"  # parallel runs must not share it
    # fmt: off
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    # fmt: on
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, proc, log)
            _wait_first_start(browser, url, log)
            yield Server(url, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def context(browser, app_server, request):
    """A fresh browser profile (no cookies) in Chinese; every tab is photographed on failure,
    and an exception the server logged during the test fails it (pages can hide them)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    log_start = app_server.log.stat().st_size
    ctx = browser.new_context(
        base_url=app_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1440, "height": 900},
    )
    ctx.set_default_timeout(30_000)
    yield ctx
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(ctx.pages):
            page.screenshot(path=SHOTS / f"FAILED-{request.node.name}-tab{i}.png")
    ctx.close()
    with app_server.log.open(errors="replace") as fh:
        fh.seek(log_start)
        logged = fh.read()
    if "Traceback" in logged:
        pytest.fail(f"the server logged an exception during the test:\n{logged[-4000:]}")
