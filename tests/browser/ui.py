"""Playwright helpers for the Streamlit app: log in, wait for reruns, read the navigation,
switch language, and look for what a user should never see (exceptions, raw i18n keys)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from core.i18n import DEFAULT_LOCALE, catalog

PASSWORD = "Demo@2026"
APP = "[data-testid='stApp']"
NAV = "[data-testid='stSidebarNav']"
NAV_LINK = "[data-testid='stSidebarNavLink']"
LANGUAGES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}
HAN = re.compile(r"[\u4e00-\u9fff]")
KEY_LIKE = re.compile(r"(?<![@\w./-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?![\w./-])")


def wait_idle(page, settle_ms: int = 400) -> None:
    """Wait until the script has stopped and stays stopped (components trigger extra reruns)."""
    idle = f"{APP}[data-test-script-state='notRunning']"
    for _ in range(2):
        page.wait_for_timeout(settle_ms)
        page.locator(idle).wait_for(timeout=60_000)
        # Placeholders of elements still being computed (e.g. lazily loaded cards).
        page.wait_for_function(
            "() => !document.querySelector(\"[data-testid='stSkeleton']\")", timeout=60_000
        )


def log_in(page, username: str, password: str = PASSWORD, shot: Path | None = None) -> None:
    """Through the real login form, as a user would; `shot` photographs the login page."""
    page.goto("/")
    form = page.locator("[data-testid='stForm']").filter(has=page.locator("input[type='password']"))
    form.wait_for()
    if shot:
        wait_idle(page)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=shot)
    wait_idle(page)  # the cookie component reruns the login page once; type after that
    form.locator("input[type='text']").first.fill(username)
    form.locator("input[type='password']").fill(password)
    form.locator("[data-testid='stFormSubmitButton'] button").click()
    error = "[data-testid='stAlertContentError']"
    outcome = page.locator(f"{NAV}, [data-testid='stException'], {error}")
    outcome.first.wait_for(timeout=60_000)
    wait_idle(page)
    errors = page.locator(error).all_inner_texts()
    assert page.locator(NAV).count(), (
        f"login as {username} failed: {visible_problems(page)} {errors}"
    )


def nav_links(page) -> list[tuple[str, str]]:
    """(title, href) of every page in the sidebar navigation, in order."""
    more = page.locator("[data-testid='stSidebarNavViewButton']")
    if more.count() and re.search(r"\d", more.inner_text()):
        more.click()
    links = page.locator(NAV_LINK).all()
    return [(a.inner_text().strip(), a.get_attribute("href")) for a in links]


def nav_titles(page) -> list[str]:
    return [title for title, _ in nav_links(page)]


def slug(href: str) -> str:
    """A file-name-safe name for a page: its URL path, or "home" for the default page."""
    return urlparse(href).path.strip("/").replace("/", "-") or "home"


def open_page(page, href: str) -> None:
    """Click the navigation link to `href` (keeps the session, as a user would)."""
    link = f"{NAV_LINK}[href='{href}']"
    page.locator(link).click()
    # The app marks the page it now shows as current (more robust than waiting for the URL).
    page.locator(f"{link}[aria-current='page']").wait_for()
    wait_idle(page)


def _language_selector(page):
    names = set(LANGUAGES.values())
    boxes = page.locator("[data-testid='stSidebar'] input[role='combobox']").all()
    selector = next((b for b in boxes if b.input_value() in names), None)
    assert selector is not None, "no language selector in the sidebar"
    return selector


def current_language(page) -> str:
    shown = _language_selector(page).input_value()
    return next(locale for locale, name in LANGUAGES.items() if name == shown)


def switch_language(page, locale: str) -> None:
    """Pick a language in the sidebar's language selector (remembered for the user)."""
    if current_language(page) == locale:
        return
    selector = _language_selector(page)
    selector.click()
    selector.fill(LANGUAGES[locale])  # typing narrows the list to the one option
    page.get_by_role("option", name=LANGUAGES[locale], exact=True).click()
    wait_idle(page)


def visible_problems(page) -> list[str]:
    """What a user should never see: an exception box, or an i18n key instead of its text."""
    problems = [
        f"exception: {text.splitlines()[0] if text else ''}"
        for text in page.locator("[data-testid='stException']").all_inner_texts()
    ]
    areas = {key.split(".")[0] for key in catalog(DEFAULT_LOCALE)}
    text = page.locator(APP).inner_text()
    raw = sorted({m for m in KEY_LIKE.findall(text) if m.split(".")[0] in areas})
    if raw:
        problems.append(f"untranslated keys: {', '.join(raw)}")
    return problems
