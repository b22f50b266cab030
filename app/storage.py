"""Bunny Edge Storage client: download a poster to a temporary file, safely.

Path rule (the frontend stores both columns): if `filePath` already ends with `fileName`,
it is the object's full path; otherwise the object is `filePath/fileName`. Each segment is
URL-quoted, and anything that could leave the storage zone or change the host (`..`, an
encoded `..`, a scheme, a leading or double slash, a backslash, a control character) is
refused with "invalid storage path" before any request is made.

Connection errors, timeouts and 5xx answers are retried with exponential backoff and jitter;
a 4xx never is: it will not change by asking again.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import requests

from app.settings import Settings


class StorageError(Exception):
    """A download failed. `transient` says whether trying again later could help."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def object_path(file_path: str | None, file_name: str | None) -> str:
    """The object's path inside the zone, validated; raises StorageError('invalid storage path')."""
    file_path = (file_path or "").strip()
    file_name = (file_name or "").strip()
    if not file_path and not file_name:
        raise StorageError("invalid storage path: the job has neither filePath nor fileName")
    if file_name and file_path.endswith(file_name):
        full = file_path
    elif file_path and file_name:
        full = f"{file_path.rstrip('/')}/{file_name}"
    else:
        full = file_path or file_name
    _check(full)
    return full


def _check(path: str) -> None:
    decoded = path
    for _ in range(3):  # catch double encoding such as %252e%252e
        decoded = unquote(decoded)
    bad = (
        path.startswith("/")
        or "//" in path
        or "\\" in decoded
        or "://" in decoded
        or decoded.lower().startswith(("http:", "https:"))
        or any(seg in ("..", ".") for seg in decoded.split("/"))
        or any(ord(c) < 32 for c in decoded)
    )
    if bad:
        raise StorageError(f"invalid storage path: {path!r} would leave the storage zone")


@dataclass
class Download:
    path: Path
    size: int


class BunnyStorage:
    """GET/PUT against one storage zone with the zone's AccessKey."""

    def __init__(self, settings: Settings, session: requests.Session | None = None):
        self.base = settings.bunny_base_url
        self.zone = settings.bunny_storage_zone
        self._key = settings.bunny_access_key
        self.timeout = (settings.download_connect_timeout, settings.download_read_timeout)
        self.retries = settings.download_retries
        self.max_bytes = int(settings.max_file_mb * 1024 * 1024)
        self.session = session or requests.Session()

    def url(self, path: str) -> str:
        _check(path)
        quoted = "/".join(quote(seg, safe="") for seg in path.split("/"))
        return f"{self.base}/{quote(self.zone, safe='')}/{quoted}"

    def download(self, path: str, suffix: str = "") -> Download:
        """Stream the object to a temporary file; the caller deletes it (see `remove`)."""
        url = self.url(path)
        delay = 0.5
        last: StorageError | None = None
        for attempt in range(self.retries + 1):
            try:
                return self._download_once(url, path, suffix)
            except StorageError as exc:
                if not exc.transient:
                    raise
                last = exc
            if attempt < self.retries:
                time.sleep(delay + random.uniform(0, delay))
                delay = min(delay * 2, 10.0)
        assert last is not None
        raise StorageError(f"{last} (gave up after {self.retries + 1} tries)", transient=True)

    def _download_once(self, url: str, path: str, suffix: str) -> Download:
        try:
            resp = self.session.get(url, headers={"AccessKey": self._key}, stream=True, timeout=self.timeout)
        except requests.Timeout as exc:
            raise StorageError(f"storage did not answer in time for {path}", transient=True) from exc
        except requests.ConnectionError as exc:
            raise StorageError(f"could not connect to storage to fetch {path}", transient=True) from exc
        with resp:
            if resp.status_code == 404:
                raise StorageError(f"file not found in storage: {path}")
            if resp.status_code in (401, 403):
                raise StorageError(
                    "storage rejected the access key (check BUNNY_ACCESS_KEY and BUNNY_STORAGE_ZONE)"
                )
            if resp.status_code >= 500:
                raise StorageError(f"storage answered {resp.status_code} for {path}", transient=True)
            if resp.status_code != 200:
                raise StorageError(f"storage answered {resp.status_code} for {path}")
            declared = int(resp.headers.get("Content-Length") or 0)
            if declared > self.max_bytes:
                raise StorageError(self._too_big(declared))
            fd, tmp = tempfile.mkstemp(prefix="posterx-", suffix=suffix)
            size = 0
            try:
                with open(fd, "wb") as out:
                    for chunk in resp.iter_content(chunk_size=1 << 16):
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise StorageError(self._too_big(size))
                        out.write(chunk)
                if declared and size != declared:
                    raise StorageError(
                        f"the download of {path} was cut short ({size} of {declared} bytes)", transient=True
                    )
            except requests.RequestException as exc:
                remove(Path(tmp))
                raise StorageError(f"the download of {path} was interrupted", transient=True) from exc
            except BaseException:
                remove(Path(tmp))
                raise
            return Download(path=Path(tmp), size=size)

    def upload(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        url = self.url(path)
        try:
            resp = self.session.put(
                url,
                data=data,
                headers={"AccessKey": self._key, "Content-Type": content_type},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise StorageError(f"could not upload {path} to storage", transient=True) from exc
        if resp.status_code in (401, 403):
            raise StorageError(
                "storage rejected the access key (check BUNNY_ACCESS_KEY and BUNNY_STORAGE_ZONE)"
            )
        if resp.status_code >= 300:
            raise StorageError(
                f"storage answered {resp.status_code} to the upload of {path}",
                transient=resp.status_code >= 500,
            )

    def _too_big(self, size: int) -> str:
        return f"the file is {size / 1048576:.1f} MB, over the {self.max_bytes / 1048576:.0f} MB limit (MAX_FILE_MB)"


def remove(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
