"""Shared fixtures: where ../shared lives, and skips with a clear message where it is absent."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

#: The API tests' fixtures (app, client, rnd, round_files) for every module that asks for them.
pytest_plugins = ["tests.api_fixtures"]
SAMPLES = ROOT / "samples"


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared, or skip the test saying it is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared test corpus is only beside the project in CI and development")
    return path


def require_program(name: str) -> str:
    """The path of a program the test needs; `make test` installs it, so missing is an error."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run the tests with `make test`, which installs it")
    return found


@pytest.fixture
def real_corpus() -> Path:
    """../shared/corpus/real, the real Word/LibreOffice/Google Docs files."""
    return shared_dir("corpus", "real")


@pytest.fixture
def mail_corpus() -> Path:
    """../shared/corpus/mail, the real .eml/.msg messages."""
    return shared_dir("corpus", "mail")
