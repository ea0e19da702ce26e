"""therapist zone and routine versions

The time zone a therapist reads schedules and digests in; a routine's version
number, and a table of what each version held from when (sealed, as it may
carry the therapist's notes).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("therapist", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    with op.batch_alter_table("routine", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "routine_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("started_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("snapshot", bot.db.types.EncryptedText(), nullable=False),
        sa.ForeignKeyConstraint(["routine_id"], ["routine.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("routine_id", "version", name="uq_routine_version"),
    )
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_version_routine_id"), ["routine_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_version_routine_id"))
    op.drop_table("routine_version")
    with op.batch_alter_table("routine", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("therapist", schema=None) as batch_op:
        batch_op.drop_column("timezone")
