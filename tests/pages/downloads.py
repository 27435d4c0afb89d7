"""What a page's download buttons would hand the browser, in AppTest: AppTest keeps media files
in a storage it throws away after each run, so `capture_downloads` records every file stored
and `download(at, key)` returns the bytes behind the button with that key."""

from __future__ import annotations

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test

_files: dict[str, bytes] = {}


class _RecordingStorage(MemoryMediaFileStorage):
    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None) -> str:
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        _files[self.get_url(file_id)] = bytes(self.get_file(file_id).content)
        return file_id


@pytest.fixture
def capture_downloads(monkeypatch):
    _files.clear()
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", _RecordingStorage)
    yield _files
    _files.clear()


def download(at, key: str) -> bytes:
    """The bytes of the download button whose key is `key` (in the last run)."""
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}")]
    assert buttons, f"no download button with key {key!r}"
    return _files[buttons[0].proto.url]
