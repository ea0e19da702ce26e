"""person settings: language, gentle follow-ups, quiet hours

One row per Telegram user who changed something; no row means the defaults.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_setting",
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("followups_enabled", sa.Boolean(), nullable=False),
        sa.Column("quiet_start", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("quiet_end", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("updated_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id"),
    )


def downgrade() -> None:
    op.drop_table("person_setting")
