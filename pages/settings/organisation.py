"""Organisation (PLT-2): the department tree, department heads, and where each user sits."""

from core.ui import org_admin
from core.ui.context import page_setup

actor = page_setup("settings.org", "nav.organisation")
org_admin.render(actor)
