"""The page registry: `st.navigation` is built from the pages that exist and the actor may open."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.config import PROJECT_ROOT
from core.i18n import t
from core.permissions import Actor


@dataclass(frozen=True)
class PageEntry:
    path: str  # relative to the project root
    title_key: str
    section_key: str
    action: str  # the action the page's require() checks
    url_path: str


# Order = order in the sidebar. Sections: office, crm, bi, settings, account.
PAGES: list[PageEntry] = [
    PageEntry(
        "pages/office/workbench.py",
        "nav.workbench",
        "nav.section.office",
        "office.workbench.view",
        "workbench",
    ),
    PageEntry(
        "pages/office/address_book.py",
        "nav.address_book",
        "nav.section.office",
        "office.addressbook.view",
        "address-book",
    ),
    PageEntry(
        "pages/crm/dashboard.py",
        "nav.dashboard",
        "nav.section.crm",
        "crm.customer.view",
        "dashboard",
    ),
    PageEntry("pages/crm/leads.py", "nav.leads", "nav.section.crm", "crm.lead.view", "leads"),
    PageEntry(
        "pages/crm/customers.py",
        "nav.customers",
        "nav.section.crm",
        "crm.customer.view",
        "customers",
    ),
    PageEntry(
        "pages/crm/contacts.py", "nav.contacts", "nav.section.crm", "crm.contact.view", "contacts"
    ),
    PageEntry("pages/crm/pool.py", "nav.pool", "nav.section.crm", "crm.pool.view", "pool"),
    PageEntry(
        "pages/crm/opportunities.py",
        "nav.opportunities",
        "nav.section.crm",
        "crm.opportunity.view",
        "opportunities",
    ),
    PageEntry(
        "pages/crm/contracts.py",
        "nav.contracts",
        "nav.section.crm",
        "crm.contract.view",
        "contracts",
    ),
    PageEntry(
        "pages/crm/receivables.py",
        "nav.receivables",
        "nav.section.crm",
        "crm.receivable.view",
        "receivables",
    ),
    PageEntry(
        "pages/crm/products.py", "nav.products", "nav.section.crm", "crm.product.view", "products"
    ),
    PageEntry(
        "pages/settings/users.py", "nav.users", "nav.section.settings", "settings.users", "users"
    ),
    PageEntry(
        "pages/settings/organisation.py",
        "nav.organisation",
        "nav.section.settings",
        "settings.org",
        "organisation",
    ),
    PageEntry(
        "pages/settings/roles.py", "nav.roles", "nav.section.settings", "settings.roles", "roles"
    ),
    PageEntry("pages/settings/account.py", "nav.account", "nav.section.account", "", "account"),
]


def visible_pages(actor: Actor) -> list[PageEntry]:
    """Pages whose file exists and whose action the actor holds ('' = any logged-in user)."""
    return [
        p
        for p in PAGES
        if (PROJECT_ROOT / p.path).exists() and (not p.action or actor.can(p.action))
    ]


def build_navigation(actor: Actor):
    """Allowed pages in the sidebar; the other existing pages are registered hidden, so that
    opening one by URL reaches its page_setup() and shows the not-allowed message."""
    sections: dict[str, list[st.Page]] = {}
    allowed = {p.path for p in visible_pages(actor)}
    hidden: list[st.Page] = []
    for entry in PAGES:
        if not (PROJECT_ROOT / entry.path).exists():
            continue
        visibility = "visible" if entry.path in allowed else "hidden"
        page = st.Page(
            entry.path, title=t(entry.title_key), url_path=entry.url_path, visibility=visibility
        )
        if visibility == "visible":
            sections.setdefault(t(entry.section_key), []).append(page)
        else:
            hidden.append(page)
    if sections:  # after every visible page, so the first visible page stays the default
        list(sections.values())[-1].extend(hidden)
    return st.navigation(sections, position="sidebar")
