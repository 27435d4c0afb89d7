"""match keys for 查重

The duplicate check (CUS-3) compared names with LIKE '%…%' and phones through nested replace():
a scan of every customer and lead, seconds at a million rows. Customers and leads now store the
name core and phone digits they are compared by (core.match_keys), indexed, so the check seeks.
A name core is also stored reversed (names ending with the typed one are then a prefix seek).
Existing rows are back-filled in batches with the same rules the application writes them with.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from core import match_keys

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 5000
KEYS = {
    "customers": {"name_key": 200, "name_key_reversed": 200, "phone_key": 40},
    "leads": {
        "name_key": 200,
        "company_key": 200,
        "company_key_reversed": 200,
        "phone_key": 40,
        "mobile_key": 40,
    },
}


def upgrade() -> None:
    for table, keys in KEYS.items():
        for key, length in keys.items():
            op.add_column(
                table,
                sa.Column(key, sa.String(length), nullable=False, server_default=""),
            )
        backfill(op.get_bind(), table)
        for key in keys:
            op.create_index(f"ix_{table}_{key}", table, [key], unique=False)


def downgrade() -> None:
    for table, keys in KEYS.items():
        for key in keys:
            op.drop_index(f"ix_{table}_{key}", table_name=table)
            op.drop_column(table, key)


def backfill(bind, table: str) -> None:
    """Keys for every row of `table`, in id order, BATCH rows per statement."""
    sources = [*match_keys.NAME_KEYS[table], *match_keys.PHONE_KEYS[table]]
    keys = list(KEYS[table])
    t = sa.table(table, *(sa.column(c) for c in ["id", *sources, *keys]))
    update = (
        sa.update(t)
        .where(t.c.id == sa.bindparam("b_id"))
        .values({k: sa.bindparam(f"b_{k}") for k in keys})
    )
    last = 0
    while True:
        query = sa.select(t.c.id, *(t.c[c] for c in sources)).where(t.c.id > last)
        rows = bind.execute(query.order_by(t.c.id).limit(BATCH)).all()
        if not rows:
            return
        params = []
        for row in rows:
            found = match_keys.keys_for(table, dict(row._mapping))
            params.append({"b_id": row.id} | {f"b_{k}": v for k, v in found.items()})
        bind.execute(update, params)
        last = rows[-1].id
