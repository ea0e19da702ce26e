"""client pauses: paused_until and the welcome-back flag

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused_until", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        # Existing clients owe nobody a welcome back.
        batch_op.add_column(
            sa.Column("welcome_back", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_client_paused_until"), ["paused_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_paused_until"))
        batch_op.drop_column("welcome_back")
        batch_op.drop_column("paused_until")
