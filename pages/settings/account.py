"""My account (PLT-1, PLT-5): who I am, and changing my own password."""

from core.ui import account_panel
from core.ui.context import page_setup

actor = page_setup("", "nav.account")
account_panel.render(actor)
