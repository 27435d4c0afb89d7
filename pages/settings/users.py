"""Users (PLT-1): admins create, edit, disable, re-enable users and reset passwords."""

from core.ui import user_admin
from core.ui.context import page_setup

actor = page_setup("settings.users", "nav.users")
user_admin.render(actor)
