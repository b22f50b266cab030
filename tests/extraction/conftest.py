"""Posters the extraction tests build for themselves (no ../shared needed)."""

from __future__ import annotations

import pytest

from tests.factories import poster_pdf


@pytest.fixture(scope="session")
def poster(tmp_path_factory):
    return poster_pdf(tmp_path_factory.mktemp("poster") / "poster.pdf")
