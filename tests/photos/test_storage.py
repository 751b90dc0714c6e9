"""The local-disk photo storage (issue #15): random keys only, whole files only."""

import pytest

from forum.photos.storage import LocalStorage, new_key


def test_put_open_list_and_delete(tmp_path):
    store, key = LocalStorage(tmp_path), new_key()
    store.put(key, "display", b"display bytes")
    store.put(key, "thumb", b"thumb bytes")
    assert store.open(key, "display") == b"display bytes"
    assert [k for k, _ in store.list_keys()] == [key]
    assert not [p for p in tmp_path.rglob(".part-*")]  # written beside, then renamed
    store.delete(key)
    assert store.open(key, "display") is None and list(store.list_keys()) == []


@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 31, "A" * 32, "g" * 32, ""])
def test_only_random_keys_name_files(tmp_path, key):
    store = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        store.put(key, "display", b"x")
    assert store.open(key, "display") is None
    store.delete(key)  # nothing happens
    assert list(tmp_path.iterdir()) == []


def test_keys_are_random_and_distinct():
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) == 32 for k in keys)
