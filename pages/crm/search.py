"""全局搜索: customers, contacts, leads, opportunities and contracts in one box, scoped."""

from core.ui.context import page_setup
from core.ui.search import results

actor = page_setup("crm.customer.view", "search.title")
results(actor)
