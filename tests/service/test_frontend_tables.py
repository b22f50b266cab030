"""The frontend's tables: `posterx db init` creates exactly the frontend's DDL where a table is
missing, never alters one that exists, and the service writes what Prisma would (UTC times)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import db, jobs
from tests.service.conftest import add_job
from tests.support import SHARED, SHARED_SCHEMA, VENDORED_SCHEMA, apply_sql, frontend_schema, temp_database

FRONTEND_TABLES = ("User", "Poster", "PosterMetadata", "ExtractionJob")
FULL_SCHEMA = SHARED / "frontend" / "real" / "schema-full.sql"


def catalog(url: str, tables=FRONTEND_TABLES) -> dict[str, object]:
    """Columns (type, NOT NULL, default), indexes and constraints of `tables`, as PostgreSQL has them."""
    eng = sa.create_engine(db.driver_url(url))
    try:
        with eng.connect() as conn:
            columns = conn.execute(
                sa.text(
                    "SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default "
                    "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY(:t) "
                    "ORDER BY table_name, ordinal_position"
                ),
                {"t": list(tables)},
            ).all()
            indexes = conn.execute(
                sa.text("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                        "AND tablename = ANY(:t) ORDER BY indexdef"),
                {"t": list(tables)},
            ).all()  # fmt: skip
            constraints = conn.execute(
                sa.text("SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE connamespace = 'public'::regnamespace AND trim('\"' from conrelid::regclass::text) = ANY(:t) "
                        "ORDER BY conname"),
                {"t": list(tables)},
            ).all()  # fmt: skip
    finally:
        eng.dispose()
    return {"columns": columns, "indexes": indexes, "constraints": constraints}


@pytest.mark.skipif(not SHARED_SCHEMA.is_file(), reason=f"{SHARED_SCHEMA} not found: nothing to compare with")
def test_vendored_ddl_is_the_frontends():
    assert VENDORED_SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes(), (
        f"copy {SHARED_SCHEMA} over {VENDORED_SCHEMA}: the frontend's tables changed"
    )


def test_db_init_creates_exactly_the_frontends_tables(settings):
    with temp_database() as ours, temp_database() as theirs:
        eng = sa.create_engine(db.driver_url(ours))
        try:
            created = db.init_db(eng)
        finally:
            eng.dispose()
        assert created == [*FRONTEND_TABLES, f"{settings.service_db_schema}.attempts"]
        apply_sql(theirs, frontend_schema())
        assert catalog(ours) == catalog(theirs)


def test_db_init_adds_missing_tables_and_leaves_existing_ones_alone(settings):
    with temp_database() as url:
        eng = sa.create_engine(db.driver_url(url))
        try:
            with eng.begin() as conn:
                for stmt in db.frontend_statements()["User"]:
                    conn.execute(sa.text(stmt))
                conn.execute(sa.text('ALTER TABLE "User" ADD COLUMN "emailVerifiedAt" TIMESTAMP(3)'))
            before = catalog(url, ("User",))
            assert db.init_db(eng) == [
                "Poster",
                "PosterMetadata",
                "ExtractionJob",
                f"{settings.service_db_schema}.attempts",
            ]
            assert catalog(url, ("User",)) == before
            assert db.init_db(eng) == []
        finally:
            eng.dispose()


def test_the_real_frontends_database_is_never_altered(settings):
    """On all twelve tables of the real frontend (schema-full.sql), db init only adds our own
    schema, and a job runs from claim to metadata on them."""
    ddl = FULL_SCHEMA if FULL_SCHEMA.is_file() else frontend_schema()
    with temp_database() as url:
        apply_sql(url, ddl)
        tables = re.findall(r'CREATE TABLE "([^"]+)"', ddl.read_text())
        assert set(FRONTEND_TABLES) <= set(tables)
        before = catalog(url, tables)
        eng = sa.create_engine(db.driver_url(url))
        try:
            assert db.init_db(eng) == [f"{settings.service_db_schema}.attempts"]
            assert catalog(url, tables) == before
            s = replace(settings, database_url=url)
            job_id, poster_id = add_job(eng)
            [claim] = jobs.claim(eng, s)
            doc = {"titles": [{"title": "T"}], "formats": ["application/pdf"], "subjects": [{"subject": "x"}]}
            assert jobs.begin(eng, s, claim.token, "t") and jobs.start(eng, s, claim.token, "t")
            assert jobs.save_result(eng, claim.token, doc, 0.1, 1)
            assert jobs.complete(eng, s, claim.token) == "completed"
            with eng.connect() as conn:
                meta = conn.execute(sa.text('SELECT format, subjects, creators FROM "PosterMetadata"')).one()
            assert tuple(meta) == ("application/pdf", ["x"], [])
        finally:
            eng.dispose()


def test_frontend_timestamps_are_written_in_utc(settings, database_url):
    """Prisma writes timestamp(3) columns in UTC; so do we, whatever the session's time zone."""
    eng = sa.create_engine(db.driver_url(database_url), connect_args={"options": "-c timezone=Asia/Tokyo"})
    try:
        with eng.connect() as conn:
            assert conn.execute(sa.text("SHOW timezone")).scalar() == "Asia/Tokyo"
        job_id, _ = add_job(eng)
        [claim] = jobs.claim(eng, settings)
        jobs.fail(eng, settings, claim.token, "boom")
        with eng.connect() as conn:
            row = conn.execute(
                sa.select(db.extraction_job.c.created, db.extraction_job.c.updated).where(
                    db.extraction_job.c.id == job_id
                )
            ).one()
    finally:
        eng.dispose()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for value in row:
        assert abs((value - now).total_seconds()) < 60, (value, now)


def test_db_init_warns_about_jobs_another_extractor_is_processing(settings, eng, env):
    job_id, _ = add_job(eng, status="processing")  # no posterx attempt: the old API took it
    exe = str(Path(sys.executable).parent / "posterx")
    res = subprocess.run([exe, "db", "init"], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "warning" in res.stderr and job_id in res.stderr and "old extraction API" in res.stderr
    with eng.begin() as conn:
        conn.execute(sa.update(db.extraction_job).values(status="failed"))
    res = subprocess.run([exe, "db", "init"], capture_output=True, text=True, env=env, timeout=60)
    assert "warning" not in res.stderr
