"""跟进记录 (CUS-10): every follow-up the actor may see (their own and, by scope, their team's),
newest first, with the customer each is about; the selected one's detail and its record."""

from core.services.followups import FOLLOWUP
from core.ui.context import page_setup
from core.ui.followup_list import followup_panel
from core.ui.records import record_list

actor = page_setup("crm.followup.view", "followup.title")

selected = record_list(FOLLOWUP, actor)
if selected is not None:
    followup_panel(actor, selected)
