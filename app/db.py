"""Database access: the frontend's tables (read and written, never altered) and our own.

The frontend (Prisma) owns "Poster", "ExtractionJob" and "PosterMetadata"; their quoted
camelCase names are declared here only so that queries are typed. The service's own state
(attempts, leases) lives in a schema of its own (SERVICE_DB_SCHEMA) so a frontend migration
can never collide with it. `init_db` creates the frontend tables only where they are missing,
which is what development and tests need; in production they already exist.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP

from app.settings import get as get_settings

frontend = sa.MetaData()

poster = sa.Table(
    "Poster",
    frontend,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("imageUrl", sa.Text),
    sa.Column("created", TIMESTAMP(precision=3), server_default=sa.func.now()),
    sa.Column("updated", TIMESTAMP(precision=3), server_default=sa.func.now()),
)

extraction_job = sa.Table(
    "ExtractionJob",
    frontend,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("posterId", sa.Integer, sa.ForeignKey("Poster.id", ondelete="CASCADE"), unique=True),
    sa.Column("fileName", sa.Text),
    sa.Column("filePath", sa.Text),
    sa.Column("completed", sa.Boolean, server_default=sa.false(), nullable=False),
    sa.Column("status", sa.Text),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created", TIMESTAMP(precision=3), server_default=sa.func.now()),
    sa.Column("updated", TIMESTAMP(precision=3), server_default=sa.func.now()),
)

_JSON_EMPTY = sa.text("'[]'::jsonb")
_TEXT_COLUMNS = (
    "doi", "publisher", "domain", "language", "version", "size", "format", "license",
    "conferenceName", "conferenceLocation", "conferenceUri", "conferenceIdentifier",
    "conferenceIdentifierType", "conferenceStartDate", "conferenceEndDate", "conferenceAcronym",
    "conferenceSeries",
)  # fmt: skip
JSON_COLUMNS = (
    "identifiers", "creators", "fundingReferences", "dates", "relatedIdentifiers", "posterContent",
    "tableCaptions", "imageCaptions",
)  # fmt: skip

poster_metadata = sa.Table(
    "PosterMetadata",
    frontend,
    sa.Column("posterId", sa.Integer, sa.ForeignKey("Poster.id", ondelete="CASCADE"), primary_key=True),
    *[sa.Column(name, sa.Text) for name in _TEXT_COLUMNS],
    *[sa.Column(name, JSONB, server_default=_JSON_EMPTY) for name in JSON_COLUMNS],
    sa.Column("publicationYear", sa.Integer),
    sa.Column("conferenceYear", sa.Integer),
    sa.Column("subjects", sa.ARRAY(sa.Text)),
    sa.Column("created", TIMESTAMP(precision=3), server_default=sa.func.now()),
    sa.Column("updated", TIMESTAMP(precision=3), server_default=sa.func.now()),
)


def service_tables(schema: str) -> tuple[sa.MetaData, sa.Table]:
    """The service's own table, in its own schema.

    One row per attempt at a job: which claim (token) it belongs to, whether it is waiting in
    the queue or running, its lease, and how it ended. The lease is what lets a lost message be
    noticed (no progress for LEASE_SECONDS) without expiring jobs that merely wait their turn.
    """
    md = sa.MetaData(schema=schema)
    attempts = sa.Table(
        "attempts",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.Text, nullable=False, index=True),
        sa.Column("poster_id", sa.Integer),
        sa.Column("token", sa.Text, nullable=False, unique=True),
        sa.Column("state", sa.Text, nullable=False),  # queued | running | completed | failed | lost | stale
        sa.Column("starts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("worker", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("seconds", sa.Float),
        sa.Column("download_bytes", sa.BigInteger),
        sa.Column("metadata_written", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("result", JSONB),
        sa.Column("thumbnail", sa.Text),  # storage path, or "failed: …" (never fails the job)
        # Set by `posterx jobs retry`: kept as history, no longer counted toward MAX_ATTEMPTS.
        sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    return md, attempts


@lru_cache(maxsize=1)
def _service() -> tuple[sa.MetaData, sa.Table]:
    return service_tables(get_settings().service_db_schema)


def attempts_table() -> sa.Table:
    return _service()[1]


def driver_url(url: str) -> str:
    """The frontend writes `postgresql://` (or `postgres://`); we talk to it through psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=4)
def engine(url: str | None = None) -> sa.Engine:
    """One pooled engine per process; short connect timeout so health checks stay fast."""
    url = driver_url(url or get_settings().database_url)
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 2, "application_name": "posterx"},
    )


def init_db(eng: sa.Engine | None = None) -> list[str]:
    """Create what is missing; return the names of the tables created. Safe to run again."""
    eng = eng or engine()
    schema = get_settings().service_db_schema
    md, _ = _service()
    created: list[str] = []
    with eng.begin() as conn:
        # Two processes may race on first start: serialise on an advisory lock.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7311)"))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        insp = sa.inspect(conn)
        for table in frontend.sorted_tables:
            if not insp.has_table(table.name):
                table.create(conn)
                created.append(table.name)
        for table in md.sorted_tables:
            if not insp.has_table(table.name, schema=schema):
                table.create(conn)
                created.append(f"{schema}.{table.name}")
        # Columns added after a table first shipped: add them where an older table lacks them.
        for table in md.sorted_tables:
            have = {c["name"] for c in sa.inspect(conn).get_columns(table.name, schema=schema)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=conn.dialect)
                    default = " NOT NULL DEFAULT false" if isinstance(column.type, sa.Boolean) else ""
                    conn.execute(
                        sa.text(
                            f'ALTER TABLE "{schema}"."{table.name}" '
                            f'ADD COLUMN IF NOT EXISTS "{column.name}" {kind}{default}'
                        )
                    )
                    created.append(f"{schema}.{table.name}.{column.name}")
    return created
