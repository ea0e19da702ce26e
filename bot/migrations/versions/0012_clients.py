"""clients at a glance

An index for /clients, which counts every client's occurrences over the last 7
and 28 local days in a few grouped queries; it covers what they count (status and
outcome), so the counting never reads the wide nudge rows.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.create_index(
            "ix_nudge_client_date",
            ["client_id", "local_date", "status", "outcome"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index("ix_nudge_client_date")
