"""Database access: the frontend's tables (read and written, never altered) and our own.

The frontend (Prisma) owns "User", "Poster", "ExtractionJob" and "PosterMetadata". Their DDL is
vendored as `frontend_schema.sql`, a verbatim copy of ../shared/frontend/schema.sql (a test
keeps the two equal): `init_db` runs it for the tables that are missing, which is what
development and tests need, and never alters a table that exists (in production all of them
do). The SQLAlchemy tables below only type our queries; they are never used to create anything.
The service's own state (attempts, leases) lives in a schema of its own (SERVICE_DB_SCHEMA) so
a frontend migration can never collide with it.

Timestamps in the frontend's tables are `timestamp(3)` without a time zone, which Prisma fills
with UTC: `utcnow()` writes the same, whatever the database session's time zone is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP

from app.settings import get as get_settings

FRONTEND_DDL = Path(__file__).with_name("frontend_schema.sql")

frontend = sa.MetaData()


def utcnow() -> sa.ColumnElement:
    """Now, in UTC, as a timestamp without time zone: what Prisma writes."""
    return sa.func.timezone("UTC", sa.func.now())


user = sa.Table(
    "User",
    frontend,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("givenName", sa.Text, nullable=False),
    sa.Column("familyName", sa.Text, nullable=False),
    sa.Column("emailAddress", sa.Text, nullable=False),
    sa.Column("password", sa.Text, nullable=False),
    sa.Column("emailVerified", sa.Boolean, nullable=False),
    sa.Column("created", TIMESTAMP(precision=3), nullable=False),
    sa.Column("updated", TIMESTAMP(precision=3), nullable=False),
)

poster = sa.Table(
    "Poster",
    frontend,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("imageUrl", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("userId", sa.Text, sa.ForeignKey("User.id"), nullable=False),
    sa.Column("created", TIMESTAMP(precision=3), nullable=False),
    sa.Column("updated", TIMESTAMP(precision=3), nullable=False),
)

extraction_job = sa.Table(
    "ExtractionJob",
    frontend,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("posterId", sa.Integer, sa.ForeignKey("Poster.id", ondelete="CASCADE"), unique=True),
    sa.Column("fileName", sa.Text, nullable=False),
    sa.Column("filePath", sa.Text, nullable=False),
    sa.Column("completed", sa.Boolean, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created", TIMESTAMP(precision=3), nullable=False),
    sa.Column("updated", TIMESTAMP(precision=3), nullable=False),
)

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
    *[sa.Column(name, JSONB, nullable=False) for name in JSON_COLUMNS],
    sa.Column("publicationYear", sa.Integer),
    sa.Column("conferenceYear", sa.Integer),
    sa.Column("subjects", sa.ARRAY(sa.Text)),
    sa.Column("created", TIMESTAMP(precision=3), nullable=False),
    sa.Column("updated", TIMESTAMP(precision=3), nullable=False),
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


def frontend_statements(ddl: str | None = None) -> dict[str, list[str]]:
    """The frontend's DDL split into statements, grouped by the table each one belongs to.

    A `CREATE TABLE "X"`, `CREATE [UNIQUE] INDEX … ON "X"` or `ALTER TABLE "X" …` belongs to X.
    Order is kept: the file lists tables before the ones whose foreign keys point at them.
    """
    text = FRONTEND_DDL.read_text(encoding="utf-8") if ddl is None else ddl
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    out: dict[str, list[str]] = {}
    for stmt in (s.strip() for s in body.split(";")):
        if not stmt:
            continue
        m = re.match(r'(?:CREATE TABLE|ALTER TABLE|CREATE (?:UNIQUE )?INDEX "[^"]+" ON)\s+"([^"]+)"', stmt)
        if m is None:
            raise ValueError(f"unexpected statement in the frontend's DDL: {stmt[:80]}")
        out.setdefault(m.group(1), []).append(stmt)
    return out


def init_db(eng: sa.Engine | None = None) -> list[str]:
    """Create what is missing; return the names of the tables created. Safe to run again.

    A frontend table that exists is never touched, even when it differs from the DDL: the
    frontend's migrations own it.
    """
    eng = eng or engine()
    schema = get_settings().service_db_schema
    md, _ = _service()
    created: list[str] = []
    with eng.begin() as conn:
        # Two processes may race on first start: serialise on an advisory lock.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7311)"))
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        insp = sa.inspect(conn)
        for name, statements in frontend_statements().items():
            if not insp.has_table(name):
                for stmt in statements:
                    conn.execute(sa.text(stmt))
                created.append(name)
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


def foreign_processing(eng: sa.Engine | None = None, limit: int = 5) -> tuple[int, list[str]]:
    """Jobs in `processing` that posterx never claimed (no attempt of ours): how many, and a few ids.

    Why: such jobs were taken by another extractor, most likely the old extraction API still
    running on this database. Both would claim each other's jobs, so it must be stopped first.
    """
    eng = eng or engine()
    att = attempts_table()
    job = extraction_job
    ours = sa.select(att.c.id).where(att.c.job_id == job.c.id).exists()
    where = sa.and_(job.c.status == "processing", ~ours)
    with eng.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(job).where(where)).scalar_one()
        ids = conn.execute(sa.select(job.c.id).where(where).order_by(job.c.updated).limit(limit)).scalars()
        return count, list(ids)


def coexistence_warning(eng: sa.Engine | None = None) -> str | None:
    """The warning `posterx db init` and `make run` print when another extractor is at work."""
    count, ids = foreign_processing(eng)
    if not count:
        return None
    return (
        f"warning: {count} job(s) are 'processing' but posterx never claimed them "
        f"(e.g. {', '.join(ids)}): another extraction service, such as the old extraction API, "
        "is working on this database. Stop it before starting posterx: each would take the "
        "other's jobs."
    )
