"""Per-subscription feed validators (ETag, Last-Modified) for conditional requests.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("feed_etag", sa.Text(), nullable=True))
        batch.add_column(sa.Column("feed_last_modified", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("feed_last_modified")
        batch.drop_column("feed_etag")
