"""followups: no answer, quiet spells, pattern offers, messages to the therapist

Adds to each nudge the end of its local day (pending until the day is closed as
"no reply") and its one follow-up; tables for quiet spells, the pattern offers
made once each, and the messages relayed between a client and their therapist
(their text sealed).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", bot.db.types.EncryptedText(), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("relay_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("relay_message_id", sa.Integer(), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"],
            ["message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "ix_message_relay", ["relay_chat_id", "relay_message_id"], unique=False
        )

    op.create_table(
        "quietspell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("started_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("asked_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("told_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quietspell", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quietspell_client_id"), ["client_id"], unique=False)

    op.create_table(
        "patternoffer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("local_time", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("to_weekday", sa.Integer(), nullable=True),
        sa.Column("offered_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answered_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["reminderslot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot_id", "key", name="uq_patternoffer_slot_key"),
    )
    with op.batch_alter_table("patternoffer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patternoffer_client_id"), ["client_id"], unique=False)

    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closes_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("followup_claimed_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("followup_message_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_nudge_closes_at"), ["closes_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_closes_at"))
        batch_op.drop_column("followup_message_id")
        batch_op.drop_column("followup_claimed_at")
        batch_op.drop_column("closes_at")

    with op.batch_alter_table("patternoffer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patternoffer_client_id"))

    op.drop_table("patternoffer")
    with op.batch_alter_table("quietspell", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quietspell_client_id"))

    op.drop_table("quietspell")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_relay")
        batch_op.drop_index(batch_op.f("ix_message_client_id"))

    op.drop_table("message")
