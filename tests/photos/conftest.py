import pytest


@pytest.fixture(autouse=True)
def photo_dir(app, tmp_path, monkeypatch):
    """Every photo test writes its files under a folder of its own."""
    folder = tmp_path / "photos"
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(folder))
    app.extensions.pop("photo_storage", None)
    yield folder
    app.extensions.pop("photo_storage", None)


def stored_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
