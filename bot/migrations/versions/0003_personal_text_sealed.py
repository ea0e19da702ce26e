"""personal free text sealed at rest

Seals the existing plaintext of every personal column with the current data key and
adds the key check table. On PostgreSQL the columns become TEXT; SQLite keeps the
declared VARCHAR (same affinity, no length limit; see EncryptedText for why).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types
from bot import crypto
from bot.db.keycheck import insert_canary
from bot.db.sealing import Change, rewrite_column

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (primary key, ((column, nullable), ...)), as they are at this revision.
SEALED: dict[str, tuple[tuple[str, ...], tuple[tuple[str, bool], ...]]] = {
    "therapist": (("id",), (("display_name", False),)),
    "client": (("id",), (("label", False), ("first_name", True))),
    "exercise": (("id",), (("notes", True),)),
    "dialog": (("telegram_user_id",), (("data", False),)),
}


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, (_keys, columns) in SEALED.items():
        for column, nullable in columns:
            op.alter_column(table, column, type_=new, existing_type=old, existing_nullable=nullable)


def _rewrite_all(change: Change) -> None:
    for table, (keys, columns) in SEALED.items():
        for column, _nullable in columns:
            rewrite_column(op.get_bind(), table, keys, column, change)


def upgrade() -> None:
    _retype(sqlmodel.sql.sqltypes.AutoString(), sa.Text())
    op.create_table(
        "keycheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canary", bot.db.types.EncryptedText(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    ring = crypto.current()
    _rewrite_all(lambda stored: None if crypto.is_sealed(stored) else ring.seal(stored))
    insert_canary(op.get_bind(), ring)


def downgrade() -> None:
    ring = crypto.current()
    _rewrite_all(lambda stored: ring.open(stored) if crypto.is_sealed(stored) else None)
    op.drop_table("keycheck")
    _retype(sa.Text(), sqlmodel.sql.sqltypes.AutoString())
