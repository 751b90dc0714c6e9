"""The README documents every setting, so configuration never hides in code."""

from pathlib import Path

from config import Config

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
# Internal switches and the URI that DATABASE_URL sets.
UNDOCUMENTED = {"ENV_NAME", "USE_DATABASE_URL", "SQLALCHEMY_DATABASE_URI"}


def test_every_setting_is_in_the_readme():
    settings = {name for name in dir(Config) if name.isupper()} - UNDOCUMENTED
    missing = sorted(name for name in settings if f"`{name}`" not in README)
    assert missing == []


def test_readme_gives_the_two_set_up_commands():
    assert "make run" in README and "make test" in README
