from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import i18n
from app.survey import bank


@pytest.fixture(autouse=True)
def _fresh_survey_caches() -> Iterator[None]:
    # Bank version ids restart in every test's emptied database.
    bank.clear_cache()
    saved = dict(i18n.INTERFACE_LANGUAGES)
    yield
    bank.clear_cache()
    i18n.INTERFACE_LANGUAGES.clear()
    i18n.INTERFACE_LANGUAGES.update(saved)
