"""orders: add a `note` column and an index on it, then sync the shadow table.

The last step is the hook: `SHADOW SYNC CREATE TASK` asks the proxy to analyse `orders` against
its shadow (`orders_shadow`), and creates a task for the generated ALTER. Under an approval
process the task waits for its approvers; under an auto-approved one (nodes: []) it runs at once.

Revision ID: 0001
Revises:
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

log = logging.getLogger("shadow_sync")


def sync_shadow(*tables, comment):
    """Creates the shadow-sync task for `tables` in the migration's database; logs its id."""
    names = ", ".join("`" + t.replace("`", "``") + "`" for t in tables)
    remark = comment.replace("\\", "\\\\").replace("'", "''")
    result = op.get_bind().exec_driver_sql(
        f"SHADOW SYNC CREATE TASK TABLES {names} COMMENT '{remark}'")
    row = result.mappings().one()
    log.info("shadow sync task %s: %s (process %s; create %s, update %s, unchanged %s)",
             row["task_id"], row["status"], row["process"], row["create_count"],
             row["update_count"], row["no_action_count"])


def upgrade():
    op.add_column("orders", sa.Column("note", sa.String(200), nullable=True,
                                      comment="free text from the clerk"))
    op.create_index("idx_orders_note", "orders", ["note"])
    sync_shadow("orders", comment=f"alembic {revision}: orders.note")


def downgrade():
    op.drop_index("idx_orders_note", table_name="orders")
    op.drop_column("orders", "note")
    sync_shadow("orders", comment=f"alembic {revision} downgrade")
