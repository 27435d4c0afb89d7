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
    section: str  # office / crm / bi / settings / account → i18n key nav.section.<section>
    action: str  # the action the page's page_setup() checks; "" = any logged-in user
    url_path: str

    @property
    def section_key(self) -> str:
        return f"nav.section.{self.section}"


_P = PageEntry
# Order = order in the sidebar; a page appears once its file exists.
# fmt: off
PAGES: list[PageEntry] = [
    _P("pages/office/workbench.py", "nav.workbench", "office", "office.workbench.view", "workbench"),
    _P("pages/office/address_book.py", "nav.address_book", "office", "office.addressbook.view", "address-book"),
    _P("pages/crm/dashboard.py", "nav.dashboard", "crm", "crm.customer.view", "dashboard"),
    _P("pages/crm/search.py", "nav.search", "crm", "crm.customer.view", "search"),
    _P("pages/crm/leads.py", "nav.leads", "crm", "crm.lead.view", "leads"),
    _P("pages/crm/customers.py", "nav.customers", "crm", "crm.customer.view", "customers"),
    _P("pages/crm/contacts.py", "nav.contacts", "crm", "crm.contact.view", "contacts"),
    _P("pages/crm/pool.py", "nav.pool", "crm", "crm.pool.view", "pool"),
    _P("pages/crm/opportunities.py", "nav.opportunities", "crm", "crm.opportunity.view", "opportunities"),
    _P("pages/crm/contracts.py", "nav.contracts", "crm", "crm.contract.view", "contracts"),
    _P("pages/crm/receivables.py", "nav.receivables", "crm", "crm.receivable.view", "receivables"),
    _P("pages/crm/products.py", "nav.products", "crm", "crm.product.view", "products"),
    _P("pages/crm/follow_ups.py", "nav.follow_ups", "crm", "crm.followup.view", "follow-ups"),
    _P("pages/crm/import.py", "nav.import", "crm", "crm.customer.import", "import"),
    _P("pages/crm/recycle_bin.py", "nav.recycle_bin", "crm", "crm.recycle.restore", "recycle-bin"),
    _P("pages/bi/customer_analysis.py", "nav.bi_customers", "bi", "bi.view", "bi-customers"),
    _P("pages/bi/funnel.py", "nav.bi_funnel", "bi", "bi.view", "bi-funnel"),
    _P("pages/bi/performance.py", "nav.bi_performance", "bi", "bi.view", "bi-performance"),
    _P("pages/bi/portrait.py", "nav.bi_portrait", "bi", "bi.view", "bi-portrait"),
    _P("pages/bi/products.py", "nav.bi_products", "bi", "bi.view", "bi-products"),
    _P("pages/bi/rankings.py", "nav.bi_rankings", "bi", "bi.view", "bi-rankings"),
    _P("pages/bi/targets.py", "nav.bi_targets", "bi", "bi.view", "bi-targets"),
    _P("pages/settings/users.py", "nav.users", "settings", "settings.users", "users"),
    _P("pages/settings/organisation.py", "nav.organisation", "settings", "settings.org", "organisation"),
    _P("pages/settings/roles.py", "nav.roles", "settings", "settings.roles", "roles"),
    _P("pages/settings/options.py", "nav.options", "settings", "settings.crm", "options"),
    _P("pages/settings/pools.py", "nav.pool_rules", "settings", "settings.crm", "pool-rules"),
    _P("pages/settings/stages.py", "nav.stage_groups", "settings", "settings.crm", "stage-groups"),
    _P("pages/settings/numbering.py", "nav.numbering", "settings", "settings.crm", "numbering"),
    _P("pages/settings/targets.py", "nav.targets", "settings", "settings.targets", "targets"),
    _P("pages/settings/account.py", "nav.account", "account", "", "account"),
]
# fmt: on


def visible_pages(actor: Actor) -> list[PageEntry]:
    """Pages whose file exists and whose action the actor holds ('' = any logged-in user)."""
    return [
        p
        for p in PAGES
        if (PROJECT_ROOT / p.path).exists() and (not p.action or actor.can(p.action))
    ]


# The landing page after login: the first of these the actor may open (OFF-2 names the
# workbench; until it exists, sales people land on the dashboard), else the first visible page.
LANDING_PAGES = ("pages/office/workbench.py", "pages/crm/dashboard.py")


def landing_page(allowed: list[PageEntry]) -> str | None:
    paths = [p.path for p in allowed]
    return next((p for p in LANDING_PAGES if p in paths), paths[0] if paths else None)


def build_navigation(actor: Actor):
    """Allowed pages in the sidebar; the other existing pages are registered hidden, so that
    opening one by URL reaches its page_setup() and shows the not-allowed message."""
    sections: dict[str, list[st.Page]] = {}
    visible = visible_pages(actor)
    allowed = {p.path for p in visible}
    landing = landing_page(visible)
    hidden: list[st.Page] = []
    for entry in PAGES:
        if not (PROJECT_ROOT / entry.path).exists():
            continue
        visibility = "visible" if entry.path in allowed else "hidden"
        page = st.Page(
            entry.path,
            title=t(entry.title_key),
            url_path=entry.url_path,
            visibility=visibility,
            default=entry.path == landing,
        )
        if visibility == "visible":
            sections.setdefault(t(entry.section_key), []).append(page)
        else:
            hidden.append(page)
    if sections:
        list(sections.values())[-1].extend(hidden)
    # Expanded: a collapsed menu shows Streamlit's own untranslated "View N more" button.
    return st.navigation(sections, position="sidebar", expanded=True)
