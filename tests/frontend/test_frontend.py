"""posterx behind the real posters.science frontend, used the way its users use it.

Real processes only: the frontend (Nuxt, built from ../shared/frontend/real by its setup.sh and
cached between runs) on tables made by its own schema-full.sql; posterx's api, beat and worker
with their default settings on the same database; and a Bunny-compatible store both use (the
look-alike of tests/support.py). Everything the test does goes through the frontend's HTTP
routes, as its pages do:

1. log in;
2. upload a dev PDF and a dev image;
3. poll the job route until `completed && status == "completed"`;
4. check the stored metadata (as the editor loads it) against the editor's rules;
5. make a job fail (its file lost from storage), see the error on the job route, restore the
   file, retry through the frontend's retry route, and see the job complete;
6. regenerate a thumbnail and get a JPEG back from the frontend's thumbnail route.

Run it with `make test-frontend`. It is skipped, with the reason, when ../shared or Node.js is
missing, or when the frontend is not built yet and the npm registry cannot be reached.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app.db import driver_url
from tests.editor_rules import editor_missing, editor_problems
from tests.support import (
    ACCESS_KEY,
    REPO,
    SHARED,
    BunnyServer,
    Proc,
    RedisServer,
    api_cmd,
    apply_sql,
    beat_cmd,
    bin_path,
    free_port,
    temp_database,
    wait_for,
    worker_cmd,
)

REAL = SHARED / "frontend" / "real"
DEV = SHARED / "corpus" / "dev"
PDF = DEV / "5128504" / "5128504.pdf"
IMAGE = DEV / "4737132" / "4737132.jpg"
EMAIL, PASSWORD = "uploader@example.org", "a-long-test-password"
POLL_SECONDS = 3.0  # the upload page polls the job every 3 s
JOB_TIMEOUT = 600.0  # the page tells users "1–5 minutes"; OCR of a large image on a busy CI core

pytestmark = [pytest.mark.frontend, pytest.mark.timeout(3600)]


def report(request, line: str) -> None:
    """Noted for the run's summary (tests/frontend/conftest.py): what this test measures."""
    from tests.frontend.conftest import REPORT

    REPORT.append(line)


def frontend_dir() -> Path:
    return Path(os.environ.get("FRONTEND_DIR") or Path.home() / ".cache" / "posterx-frontend")


def is_built(fe: Path) -> bool:
    return (fe / "src" / ".output" / "server" / "index.mjs").is_file() and (fe / "bin" / "node").exists()


@pytest.fixture(scope="module")
def frontend(request) -> Path:
    """The built frontend: setup.sh builds it once (about 6 minutes on 2 cores), then it is cached."""
    for needed in (REAL / "setup.sh", REAL / "start.sh", REAL / "schema-full.sql", PDF, IMAGE):
        if not needed.is_file():
            pytest.skip(f"{needed} not found: the real frontend and the dev corpus come with ../shared")
    fe = frontend_dir()
    if not is_built(fe):
        if shutil.which("npm") is None:
            pytest.skip("Node.js and npm are not installed: the real frontend cannot be built")
        try:
            ping = subprocess.run(["npm", "ping"], capture_output=True, text=True, timeout=60)
            reachable, why = ping.returncode == 0, (ping.stderr or ping.stdout).strip()[-300:]
        except subprocess.TimeoutExpired:
            reachable, why = False, "no answer within 60 s"
        if not reachable:
            pytest.skip(f"the npm registry is unreachable, so the real frontend cannot be built: {why}")
    cached = is_built(fe)
    started = time.monotonic()
    res = subprocess.run(
        ["bash", str(REAL / "setup.sh"), str(fe)], capture_output=True, text=True, timeout=3000
    )
    if res.returncode != 0:
        pytest.fail(f"../shared/frontend/real/setup.sh failed:\n{res.stderr[-4000:]}")
    report(request, f"build: {time.monotonic() - started:.1f} s ({'cached' if cached else 'cold'}, in {fe})")
    return Path(res.stdout.strip().splitlines()[-1])


def posterx_env(database_url: str, redis_url: str, bunny: BunnyServer, port: int) -> dict[str, str]:
    """What a deployment must set; every other setting keeps its default."""
    from dataclasses import fields

    from app.settings import Settings

    ours = {f.name.upper() for f in fields(Settings)}
    env = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith(("POSTERX_", "CELERY"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        BUNNY_STORAGE_ZONE=bunny.zone,
        BUNNY_ACCESS_KEY=ACCESS_KEY,
        BUNNY_STORAGE_URL=bunny.url,
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    return env


def bcrypt_hash(fe: Path, password: str) -> str:
    """The frontend's own bcrypt, as its README says (sign-up would send an e-mail)."""
    script = "console.log(require('bcrypt').hashSync(process.argv[1], 10))"
    out = subprocess.run([str(fe / "bin" / "node"), "-e", script, password], cwd=fe / "src", capture_output=True,
                         text=True, timeout=60, check=True)  # fmt: skip
    return out.stdout.strip()


@pytest.fixture(scope="module")
def stack(frontend, tmp_path_factory):
    """PostgreSQL (a fresh database with the frontend's 12 tables), a private Redis, the store,
    posterx (db init, api, beat, worker) and the frontend; yields what the test needs."""
    logs = tmp_path_factory.mktemp("frontend-stack")
    redis_server = RedisServer().start()
    bunny = BunnyServer(zone="posters-private").start()
    procs: list[Proc] = []
    with temp_database() as database_url:
        apply_sql(database_url, REAL / "schema-full.sql")
        api_port, fe_port = free_port(), free_port()
        env = posterx_env(database_url, redis_server.url, bunny, api_port)
        try:
            init = subprocess.run([bin_path("posterx"), "db", "init"], cwd=REPO, env=env, capture_output=True,
                                  text=True, timeout=120)  # fmt: skip
            assert init.returncode == 0, init.stderr
            procs += [
                Proc("api", api_cmd(api_port), env, logs),
                Proc("beat", beat_cmd(logs / "beat-schedule"), env, logs),
                Proc("worker", worker_cmd("frontend"), env, logs),
            ]
            fe_env = {
                k: v for k, v in os.environ.items() if not k.startswith(("NUXT_", "NITRO_", "DATABASE_URL"))
            } | {
                "DATABASE_URL": database_url,
                "NUXT_BUNNY_PRIVATE_STORAGE": f"{bunny.url}/{bunny.zone}",
                "NUXT_BUNNY_PRIVATE_STORAGE_KEY": ACCESS_KEY,
                "NUXT_POSTER_EXTRACTION_API": f"http://127.0.0.1:{api_port}",
                "NITRO_PORT": str(fe_port),
            }
            procs.append(Proc("frontend", ["bash", str(REAL / "start.sh"), str(frontend)], fe_env, logs))
            api = f"http://127.0.0.1:{api_port}"
            base = f"http://127.0.0.1:{fe_port}"
            wait_for(lambda: requests.get(f"{api}/health", timeout=3).json()["checks"]["worker"].startswith("ok"),
                     120, what="posterx with a worker")  # fmt: skip
            wait_for(lambda: requests.get(f"{base}/up", timeout=3).ok, 120, what="the frontend")
            eng = sa.create_engine(driver_url(database_url))
            with eng.begin() as conn:  # a verified user (sign-up would send an e-mail)
                conn.execute(
                    sa.text('INSERT INTO "User" (id, "emailAddress", password, "emailVerified", updated) '
                            "VALUES (:id, :e, :p, true, now() AT TIME ZONE 'UTC')"),
                    {"id": uuid.uuid4().hex, "e": EMAIL, "p": bcrypt_hash(frontend, PASSWORD)},
                )  # fmt: skip
            eng.dispose()
            yield {"base": base, "bunny": bunny, "procs": procs}
        finally:
            for p in reversed(procs):
                p.stop()
            bunny.stop()
            redis_server.stop()


class User:
    """A browser session on the frontend: the session cookie, sent back explicitly (it is marked
    Secure, which Python's cookie jar honours over plain http)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie = ""

    def login(self, email: str, password: str) -> requests.Response:
        r = requests.post(f"{self.base}/api/auth/login", json={"emailAddress": email, "password": password},
                          timeout=30, allow_redirects=False)  # fmt: skip
        self.cookie = r.cookies.get("nuxt-session") or ""
        return r

    def call(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"Cookie": f"nuxt-session={self.cookie}", **kw.pop("headers", {})}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=60, **kw)

    def upload(self, path: Path, content_type: str) -> dict:
        r = self.call(
            "POST", "/api/upload/bunny", files={"file": (path.name, path.read_bytes(), content_type)}
        )
        assert r.ok, r.text
        return r.json()

    def poll_job(self, job_id: str, timeout: float = JOB_TIMEOUT) -> dict:
        """The upload page: every 3 s until completed && status == "completed"; "failed" shows the
        error; any status other than pending-extraction or processing stops it."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.call("GET", f"/api/poster/job/{job_id}")
            assert r.ok, r.text
            job = r.json()
            if job["completed"] and job["status"] == "completed":
                return job
            if job["status"] not in ("pending-extraction", "processing"):
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {timeout:.0f} s"
            time.sleep(POLL_SECONDS)

    def poster(self, poster_id: int) -> dict:
        r = self.call("GET", f"/api/poster/{poster_id}")
        assert r.ok, r.text
        return r.json()

    def thumbnail(self, poster_id: int) -> requests.Response:
        return self.call("GET", f"/api/poster/{poster_id}/thumbnail", allow_redirects=False)


def assert_jpeg(resp: requests.Response) -> tuple[int, int]:
    from PIL import Image

    assert resp.status_code == 200, (resp.status_code, resp.headers, resp.text[:300])
    assert resp.headers["Content-Type"].startswith("image/jpeg"), resp.headers["Content-Type"]
    with Image.open(io.BytesIO(resp.content)) as img:
        assert img.format == "JPEG"
        assert img.width <= 1200
        return img.size


def assert_editor_accepts(request, poster: dict) -> None:
    meta = poster["posterMetadata"]
    assert editor_problems(meta) == [], editor_problems(meta)
    assert meta["creators"] and meta["posterContent"]["sections"] and meta["subjects"]
    missing = editor_missing(meta, {"title": poster["title"], "description": poster["description"]})
    report(
        request, f"poster {poster['id']}: the editor accepts every stored value; it will ask for {missing}"
    )


def test_a_user_through_the_real_frontend(request, stack):
    user, bunny = User(stack["base"]), stack["bunny"]

    # 1. Log in.
    r = user.login(EMAIL, PASSWORD)
    assert r.ok and user.cookie, (r.status_code, r.text)
    assert user.call("GET", "/api/user").ok

    # 2-3. Upload a dev PDF and a dev image; poll each job as the upload page does.
    started = time.monotonic()
    pdf = user.upload(PDF, "application/pdf")
    image = user.upload(IMAGE, "image/jpeg")
    assert pdf["status"] == image["status"] == "pending-extraction"
    for name, made in (("PDF", pdf), ("image", image)):
        job = user.poll_job(made["extractionJobId"])
        assert (job["status"], job["completed"], job["error"]) == ("completed", True, None), job
        report(
            request,
            f"{name}: upload to completed in {time.monotonic() - started:.1f} s (one worker, in turn)",
        )

    # 4. The metadata, as the editor loads it, passes the editor's rules.
    pdf_poster, image_poster = user.poster(pdf["posterId"]), user.poster(image["posterId"])
    assert pdf_poster["title"] != "5128504.pdf"  # the extraction's title replaced the file name
    assert pdf_poster["posterMetadata"]["format"] == "application/pdf"
    assert image_poster["posterMetadata"]["format"] == "image/jpeg"
    for poster in (pdf_poster, image_poster):
        assert_editor_accepts(request, poster)
        assert_jpeg(user.thumbnail(poster["id"]))  # the extraction's thumbnail, served by the frontend

    # 5. A job fails, the frontend shows why, and its retry route brings it to completion. Only an
    #    unpublished new version of a published poster can be retried, so: publish, new version.
    r = user.call("POST", "/api/release/zenodo/simulated", json={"posterId": str(pdf["posterId"])})
    assert r.ok, r.text
    bunny.lose_puts.append("/version-2/")  # the version's file is lost from storage once stored
    r = user.call("POST", f"/api/poster/{pdf['posterId']}/versions",
                  data={"fileMode": "upload", "metadataMode": "extract"},
                  files={"file": (PDF.name, PDF.read_bytes(), "application/pdf")})  # fmt: skip
    assert r.ok, r.text
    version = r.json()
    [lost] = list(bunny.lost)
    job = user.poll_job(version["extractionJobId"])
    assert (
        job["status"] == "failed" and job["error"] == f"download failed: file not found in storage: {lost}"
    ), job
    bunny.restore(lost)
    retried = time.monotonic()
    r = user.call("POST", f"/api/poster/job/{version['extractionJobId']}/retry")
    assert r.ok and r.json() == {"status": "pending-extraction", "completed": False, "error": None}, r.text
    job = user.poll_job(version["extractionJobId"])
    assert (job["status"], job["completed"], job["error"]) == ("completed", True, None), job
    report(request, f"retry to completed in {time.monotonic() - retried:.1f} s")
    assert_editor_accepts(request, user.poster(version["posterId"]))

    # 6. "Regenerate thumbnail", then the frontend's thumbnail route serves the new JPEG.
    before = image_poster["imageUrl"]
    r = user.call("POST", f"/api/poster/{image['posterId']}/thumbnail")
    assert r.ok and r.json() == {"success": True}, (r.status_code, r.text)
    after = wait_for(lambda: (u := user.poster(image["posterId"])["imageUrl"]) != before and u, 120,
                     interval=1, what="the regenerated thumbnail")  # fmt: skip
    got = user.thumbnail(image["posterId"])
    width, _ = assert_jpeg(got)
    assert width == 1200  # the dev image is wider than 1200 px
    assert got.content == bunny.files[after.removeprefix(f"{bunny.url}/{bunny.zone}/")]
