"""Fixtures for the service tests: real PostgreSQL, a private Redis, a Bunny look-alike."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql

from tests.factories import poster_pdf
from tests.support import BunnyServer, RedisServer, apply_sql, frontend_schema, service_env, temp_database


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url():
    """A fresh database whose frontend tables come from the frontend's own DDL, applied as is."""
    with temp_database() as url:
        apply_sql(url, frontend_schema())
        yield url


@pytest.fixture(scope="session")
def bunny():
    server = BunnyServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> bytes:
    return poster_pdf(tmp_path_factory.mktemp("posters") / "poster.pdf").read_bytes()


def _clear_caches() -> None:
    from app import broker, db, settings

    settings.get.cache_clear()
    db._service.cache_clear()
    for eng in list(_engines):
        eng.dispose()
    _engines.clear()
    db.engine.cache_clear()
    broker.redis_client.cache_clear()
    broker.celery_client.cache_clear()


_engines: list[sa.Engine] = []


@pytest.fixture
def env(database_url, redis_server, bunny):
    return service_env(database_url, redis_server.url, bunny)


@pytest.fixture
def settings(env, monkeypatch):
    """In-process settings pointing at this session's services, with fresh tables."""
    for key in list(env):
        monkeypatch.setenv(key, env[key])
    _clear_caches()
    from app import db
    from app.settings import get

    s = get()
    eng = db.engine()
    _engines.append(eng)
    db.init_db(eng)
    with eng.begin() as conn:
        conn.execute(
            sa.text(
                f'TRUNCATE "{s.service_db_schema}".attempts, "PosterMetadata", "ExtractionJob", "Poster", "User" CASCADE'
            )
        )
    yield s
    _clear_caches()


@pytest.fixture
def eng(settings):
    from app import db

    return db.engine()


USER_ID = "user-test"


def add_poster(conn: sa.Connection, title: str = "poster.pdf", status: str = "draft") -> int:
    """A Poster row as the frontend's upload creates it, owned by a test user made on first use."""
    from app.db import poster, user, utcnow

    conn.execute(
        sa.dialects.postgresql.insert(user)
        .values(
            id=USER_ID,
            givenName="Test",
            familyName="User",
            emailAddress="test@example.org",
            password="!",
            emailVerified=True,
            created=utcnow(),
            updated=utcnow(),
        )  # fmt: skip
        .on_conflict_do_nothing()
    )
    return conn.execute(
        poster.insert()
        .values(
            userId=USER_ID,
            title=title,
            description="",
            imageUrl="",
            status=status,
            created=utcnow(),
            updated=utcnow(),
        )  # fmt: skip
        .returning(poster.c.id)
    ).scalar_one()


def add_job(
    eng: sa.Engine,
    file_name: str = "poster.pdf",
    file_path: str | None = None,
    status: str = "pending-extraction",
) -> tuple[str, int]:
    """Insert a Poster and its ExtractionJob the way the frontend does; return (job id, poster id)."""
    from app.db import extraction_job, utcnow

    job_id = f"job_{uuid.uuid4().hex[:12]}"
    with eng.begin() as conn:
        poster_id = add_poster(conn, file_name)
        conn.execute(
            extraction_job.insert().values(
                id=job_id,
                posterId=poster_id,
                fileName=file_name,
                filePath=file_path if file_path is not None else f"uploads/{poster_id}",
                status=status,
                completed=False,
                created=utcnow(),
                updated=utcnow(),
            )
        )
    return job_id, poster_id


def job_row(eng: sa.Engine, job_id: str):
    from app.db import extraction_job

    with eng.connect() as conn:
        return conn.execute(sa.select(extraction_job).where(extraction_job.c.id == job_id)).first()


def upload(bunny: BunnyServer, poster_id: int, data: bytes, file_name: str = "poster.pdf") -> None:
    bunny.files[f"uploads/{poster_id}/{file_name}"] = data


__all__ = ["add_job", "add_poster", "job_row", "upload", "Path"]
