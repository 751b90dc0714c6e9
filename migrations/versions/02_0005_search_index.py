"""Full-text search index: FTS5 on SQLite, a tsvector column with a GIN index on PostgreSQL.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25

The tables are dialect-specific and absent from the models (forum.database.include_object
leaves tables named search_* out of autogenerate); forum/search/backend.py is the only
code that reads or writes them.
"""

from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """
    CREATE TABLE search_documents (
        id INTEGER PRIMARY KEY,
        kind VARCHAR(16) NOT NULL,
        ref_id INTEGER NOT NULL,
        thread_id INTEGER,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        stage VARCHAR(16),
        visible BOOLEAN NOT NULL DEFAULT 1,
        created_at DATETIME NOT NULL,
        CONSTRAINT uq_search_documents_kind_ref UNIQUE (kind, ref_id)
    )
    """,
    "CREATE INDEX ix_search_documents_thread ON search_documents (thread_id)",
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body,
        content='search_documents', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
    """
    CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END
    """,
    """
    CREATE TRIGGER search_documents_au AFTER UPDATE OF title, body ON search_documents BEGIN
        INSERT INTO search_fts (search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_documents",
]

POSTGRES_UP = [
    """
    CREATE TABLE search_documents (
        id BIGSERIAL PRIMARY KEY,
        kind VARCHAR(16) NOT NULL,
        ref_id INTEGER NOT NULL,
        thread_id INTEGER,
        title TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        stage VARCHAR(16),
        visible BOOLEAN NOT NULL DEFAULT TRUE,
        created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
        tsv TSVECTOR GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', body), 'B')
        ) STORED,
        CONSTRAINT uq_search_documents_kind_ref UNIQUE (kind, ref_id)
    )
    """,
    "CREATE INDEX ix_search_documents_thread ON search_documents (thread_id)",
    # Only visible documents are ever searched, so only they are indexed.
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING GIN (tsv) WHERE visible",
]

POSTGRES_DOWN = ["DROP TABLE IF EXISTS search_documents"]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_UP)
    else:
        _run(SQLITE_UP)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_DOWN)
    else:
        _run(SQLITE_DOWN)
