"""`make test` hands whole files to its workers in collection order (--no-loadscope-reorder):
tests/conftest.py puts the longest files first (tests/durations.json), keeping each file's own
order, so that a slow file does not start last while the other worker idles."""

import json

import pytest

from tests import conftest


class Item:
    def __init__(self, nodeid, keywords=()):
        self.nodeid, self.keywords, self.markers = nodeid, set(keywords), []

    def add_marker(self, marker):
        self.markers.append(marker)


def test_the_longest_files_go_first_and_each_file_keeps_its_order(tmp_path, monkeypatch):
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({"tests/a/test_slow.py": 60.0, "tests/b/test_mid.py": 5.0}))
    monkeypatch.setattr(conftest, "DURATIONS", durations)
    items = [
        Item("tests/b/test_mid.py::test_1"),
        Item("tests/c/test_new.py::test_1"),  # not in the file: counts as the median (32.5 s)
        Item("tests/a/test_slow.py::test_plain"),
        Item("tests/b/test_mid.py::test_2"),
        Item("tests/a/test_slow.py::test_transactional"),  # pytest-django put it after the rest
    ]
    conftest.pytest_collection_modifyitems(None, items)
    assert [i.nodeid for i in items] == [
        "tests/a/test_slow.py::test_plain",
        "tests/a/test_slow.py::test_transactional",
        "tests/c/test_new.py::test_1",
        "tests/b/test_mid.py::test_1",
        "tests/b/test_mid.py::test_2",
    ]


def test_without_a_durations_file_the_order_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "DURATIONS", tmp_path / "missing.json")
    items = [Item("tests/b/test_x.py::t"), Item("tests/a/test_y.py::t")]
    conftest.pytest_collection_modifyitems(None, items)
    assert [i.nodeid for i in items] == ["tests/b/test_x.py::t", "tests/a/test_y.py::t"]


def test_the_committed_durations_name_files_that_exist():
    from pathlib import Path

    root = Path(conftest.__file__).resolve().parent.parent
    seconds = json.loads(conftest.DURATIONS.read_text(encoding="utf-8"))
    assert len(seconds) > 100
    missing = [path for path in seconds if not (root / path).is_file()]
    assert missing == [], "refresh tests/durations.json (scripts/test_durations.py)"


@pytest.mark.parametrize("keyword", ["browser", "postgres"], ids=["no-chromium", "on-sqlite"])
def test_the_skip_reasons_are_still_added(keyword, monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "DURATIONS", tmp_path / "missing.json")
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    monkeypatch.setitem(
        conftest.settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3"
    )
    item = Item("tests/x/test_y.py::t", keywords=[keyword])
    conftest.pytest_collection_modifyitems(None, [item])
    assert [m.mark.name for m in item.markers] == ["skip"]
