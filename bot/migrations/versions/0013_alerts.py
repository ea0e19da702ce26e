"""alerts and the weekly digest

A therapist's weekly digest (on or off, weekday, time, and the next instant it
is due, indexed for the sender's pass), and when a therapist was told that a
client became unreachable (indexed with `reachable`, so the pass finds the new
ones without a scan). Clients unreachable before this revision count as told,
so upgrading sends no burst of old news.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (no batch): on SQLite a batch would copy the
    # therapist and client tables, which other tables' foreign keys refer to.
    op.add_column(
        "therapist",
        sa.Column("digest_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "therapist", sa.Column("digest_weekday", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "therapist",
        sa.Column(
            "digest_time",
            sqlmodel.sql.sqltypes.AutoString(),
            server_default="08:00",
            nullable=False,
        ),
    )
    op.add_column(
        "therapist",
        sa.Column("digest_next_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index(
        op.f("ix_therapist_digest_next_at"), "therapist", ["digest_next_at"], unique=False
    )
    op.add_column(
        "client",
        sa.Column("unreachable_told_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_client_unreachable", "client", ["reachable", "unreachable_told_at"], unique=False
    )
    client = sa.table(
        "client",
        sa.column("reachable", sa.Boolean()),
        sa.column("unreachable_told_at", bot.db.types.UTCDateTime(timezone=True)),
    )
    op.execute(
        client.update()
        .where(client.c.reachable.is_(False))
        .values(unreachable_told_at=datetime.now(UTC))
    )


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index("ix_client_unreachable")
        batch_op.drop_column("unreachable_told_at")
    with op.batch_alter_table("therapist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_therapist_digest_next_at"))
        batch_op.drop_column("digest_next_at")
        batch_op.drop_column("digest_time")
        batch_op.drop_column("digest_weekday")
        batch_op.drop_column("digest_enabled")
