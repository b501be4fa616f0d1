"""Fixtures shared by the end-to-end workflow tests."""

import pytest

import workflow_helpers as wf


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The session's clean run of the repository workflow (read only)."""
    return wf.clean_run(tmp_path_factory)


@pytest.fixture
def copy(clean, tmp_path):
    """A private copy of the clean run, mtimes kept, for a test to change."""
    return wf.copy_tree(clean, tmp_path / "wf")
