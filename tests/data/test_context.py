"""default_context: the data root and cache rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzoo.data.context import default_context
from ganzoo.errors import DataError


def test_defaults_to_the_cache(cache_dir: Path) -> None:
    context = default_context()
    assert context.cache_dir == cache_dir
    assert context.data_root == cache_dir / "data"
    assert context.download


def test_home_cache_when_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GANZOO_CACHE", raising=False)
    monkeypatch.delenv("GANZOO_DATA", raising=False)
    assert default_context().cache_dir == Path.home() / ".cache" / "ganzoo"


def test_argument_beats_environment(tmp_path: Path, cache_dir: Path, monkeypatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.setenv("GANZOO_DATA", str(tmp_path / "b"))
    assert default_context().data_root == tmp_path / "b"
    assert default_context(tmp_path / "a").data_root == tmp_path / "a"


def test_a_missing_explicit_root_is_a_clear_error(tmp_path: Path, cache_dir: Path, monkeypatch):
    with pytest.raises(DataError, match=r"data root .*nowhere.* \(from --data-root\) does not"):
        default_context(tmp_path / "nowhere")
    monkeypatch.setenv("GANZOO_DATA", str(tmp_path / "gone"))
    with pytest.raises(DataError, match=r"\(from GANZOO_DATA\) does not exist"):
        default_context()
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is not a folder"):
        default_context(tmp_path / "file")
