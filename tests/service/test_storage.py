"""Bunny storage client against a local server that behaves like Bunny, failures included."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from app.settings import load
from app.storage import BunnyStorage, StorageError, object_path
from tests.support import ACCESS_KEY, free_port


@pytest.fixture
def storage_settings(bunny):
    return load(
        {
            "DATABASE_URL": "postgresql://u:pw@127.0.0.1/x",
            "BUNNY_STORAGE_ZONE": bunny.zone,
            "BUNNY_ACCESS_KEY": ACCESS_KEY,
            "BUNNY_STORAGE_URL": bunny.url,
            "DOWNLOAD_READ_TIMEOUT": "1",
            "DOWNLOAD_RETRIES": "2",
            "MAX_FILE_MB": "1",
        }
    )


def test_path_rule_joins_or_keeps():
    assert object_path("uploads/7", "poster.pdf") == "uploads/7/poster.pdf"
    assert object_path("uploads/7/poster.pdf", "poster.pdf") == "uploads/7/poster.pdf"
    assert object_path("uploads/7/", "my poster (final).pdf") == "uploads/7/my poster (final).pdf"


@pytest.mark.parametrize(
    "file_path",
    [
        "../other-zone",
        "uploads/%2e%2e/x",
        "//evil.example/x",
        "http://evil.example/x",
        "/etc/passwd",
        "a/%252e%252e/b",
    ],
)
def test_paths_that_leave_the_zone_are_refused(file_path):
    with pytest.raises(StorageError, match="invalid storage path"):
        object_path(file_path, "poster.pdf")


def test_url_quotes_segments_and_keeps_host(storage_settings, bunny):
    url = BunnyStorage(storage_settings).url("uploads/1/my poster?#.pdf")
    assert url == f"{bunny.url}/{bunny.zone}/uploads/1/my%20poster%3F%23.pdf"


def test_region_and_default_base_urls(storage_settings):
    assert replace(storage_settings, bunny_storage_url="").bunny_base_url == "https://storage.bunnycdn.com"
    regional = replace(storage_settings, bunny_storage_url="", bunny_region="ny")
    assert regional.bunny_base_url == "https://ny.storage.bunnycdn.com"


def test_download_streams_to_temp_file(storage_settings, bunny):
    bunny.files["u/1/ünïcode name.pdf"] = b"%PDF-1.4 hello"
    got = BunnyStorage(storage_settings).download("u/1/ünïcode name.pdf")
    try:
        assert got.path.read_bytes() == b"%PDF-1.4 hello"
        assert got.size == 14
    finally:
        got.path.unlink()


def test_503_twice_then_200_succeeds(storage_settings, bunny):
    bunny.files["u/2/p.pdf"] = b"%PDF ok"
    bunny.fail["u/2/p.pdf"] = [503, 503]
    got = BunnyStorage(storage_settings).download("u/2/p.pdf")
    got.path.unlink()
    assert [r for r in bunny.requests if r[1] == "u/2/p.pdf"].__len__() == 3


def test_404_fails_at_once_without_retry(storage_settings, bunny):
    before = len(bunny.requests)
    with pytest.raises(StorageError, match="file not found in storage: u/3/missing.pdf") as info:
        BunnyStorage(storage_settings).download("u/3/missing.pdf")
    assert not info.value.transient
    assert len(bunny.requests) - before == 1


def test_401_says_the_key_was_rejected_and_hides_it(storage_settings, bunny):
    bad = replace(storage_settings, bunny_access_key="wrong-key-123")
    with pytest.raises(StorageError, match="storage rejected the access key") as info:
        BunnyStorage(bad).download("u/4/p.pdf")
    assert "wrong-key-123" not in str(info.value)


def test_stall_times_out_then_retry_succeeds(storage_settings, bunny):
    bunny.files["u/5/p.pdf"] = b"%PDF slow"
    bunny.fail["u/5/p.pdf"] = ["stall:2"]
    started = time.time()
    got = BunnyStorage(storage_settings).download("u/5/p.pdf")
    got.path.unlink()
    assert time.time() - started < 8


def test_connection_refused_is_transient_and_retried(storage_settings):
    dead = replace(storage_settings, bunny_storage_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StorageError, match="could not connect to storage") as info:
        BunnyStorage(dead).download("u/6/p.pdf")
    assert info.value.transient
    assert "gave up after 3 tries" in str(info.value)


def test_body_cut_short_is_detected(storage_settings, bunny, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    bunny.files["u/7/p.pdf"] = b"%PDF partial"
    bunny.fail["u/7/p.pdf"] = ["cut", "cut", "cut"]
    with pytest.raises(StorageError, match="cut short|interrupted"):
        BunnyStorage(storage_settings).download("u/7/p.pdf")
    assert list(tmp_path.iterdir()) == []  # the temporary file was removed


def test_size_cap(storage_settings, bunny, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    bunny.files["u/8/big.pdf"] = b"x" * (2 * 1024 * 1024)
    with pytest.raises(StorageError, match="over the 1 MB limit"):
        BunnyStorage(storage_settings).download("u/8/big.pdf")
    assert list(tmp_path.iterdir()) == []
