"""The repository alone runs its tests: reading beside it is caught, and nothing does."""

from __future__ import annotations

import uuid

from tests import self_contained


def test_a_read_beside_the_repository_is_caught(tmp_path) -> None:
    before = self_contained.outside_reads()
    (self_contained.REPO / "pyproject.toml").read_bytes()
    (tmp_path / "scratch").write_text("x")
    assert self_contained.outside_reads() == before  # the repository's own files are fine
    probe = self_contained.REPO.parent / f".wraparound-guard-{uuid.uuid4().hex}"
    try:
        probe.write_text("beside the repository")
        probe.read_text()
    finally:
        probe.unlink(missing_ok=True)
    caught = [path for path in self_contained.outside_reads() if path not in before]
    assert caught == ([str(probe)] * 2 if self_contained.CHECKING else [])
    self_contained.forget(caught)


def test_the_open_referral_data_is_in_the_repository() -> None:
    data = self_contained.REPO / "tests" / "data" / "openreferral"
    for folder in ("oruk-3.0/schema", "oruk-validator-fixtures/V3.0-UK-Test", "hsds-3.0-examples"):
        assert (data / folder).is_dir(), folder
    for folder in ("oruk-3.0", "oruk-validator-fixtures", "hsds-3.0-examples"):
        assert (data / folder / "LICENSE").is_file(), folder
        assert (data / folder / "SOURCE").is_file(), folder
