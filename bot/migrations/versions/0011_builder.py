"""routine templates: a therapist's named routines to start new clients from

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routine_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("name", bot.db.types.EncryptedText(), nullable=False),
        sa.Column("snapshot", bot.db.types.EncryptedText(), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["therapist_id"], ["therapist.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("routine_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_template_therapist_id"), ["therapist_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("routine_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_template_therapist_id"))
    op.drop_table("routine_template")
