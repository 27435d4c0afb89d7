"""search indexes

Global search (issue 3) matches the start of names, numbers, phones, mobiles and companies; every
column it searches needs an index so the match is a range seek, not a scan of millions of rows.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_leads_company", "leads", ["company"], unique=False)
    op.create_index("ix_contacts_phone", "contacts", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contacts_phone", table_name="contacts")
    op.drop_index("ix_leads_company", table_name="leads")
