"""after the answer: barriers, exercises ticked, and reported concerns

Adds to each nudge what got in the way of a "not today" (a code, and the client's
own words, sealed) and which exercises "some of it" covered; and a table of the
pain, "too hard" and soreness reports the therapist was alerted to.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("barrier", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("barrier_note", bot.db.types.EncryptedText(), nullable=True))
        batch_op.add_column(
            sa.Column("exercises_done", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    op.create_table(
        "concernreport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.Column("concern", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("words", bot.db.types.EncryptedText(), nullable=True),
        sa.Column("at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudge.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("concernreport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concernreport_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_concernreport_nudge_id"), ["nudge_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("concernreport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concernreport_nudge_id"))
        batch_op.drop_index(batch_op.f("ix_concernreport_client_id"))
    op.drop_table("concernreport")
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_column("exercises_done")
        batch_op.drop_column("barrier_note")
        batch_op.drop_column("barrier")
