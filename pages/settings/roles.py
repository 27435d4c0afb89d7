"""Roles (PLT-3): each role's name, data scope and granted actions; custom roles."""

from core.ui import role_admin
from core.ui.context import page_setup

actor = page_setup("settings.roles", "nav.roles")
role_admin.render(actor)
