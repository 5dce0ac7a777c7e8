"""/healthz tells the truth; bad bytes are 400; the demo never loads in production; files live
in the database storage, shared by every server and gone with a rolled-back transaction."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from khoithidua.lib.dbstorage import DatabaseStorage
from khoithidua.models import StoredFile

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_checks_the_database_and_a_template(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True, "template": True}


def test_healthz_is_503_when_pages_cannot_render(client, db, settings, tmp_path):
    """The review's blocker: no static manifest, every page 500, /healthz still 200."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    response = client.get("/healthz")  # (changing STORAGES resets the storages)
    assert response.status_code == 503
    assert response.json()["template"] is False
    assert response.json()["database"] is True


@pytest.mark.parametrize(
    "query",
    ["q=%00", "q=abc%00def", "q=%FF%FE", "q=%C3%28", "page=%00", "%00=1", "q=%ED%A0%80"],
)
def test_nul_and_invalid_utf8_in_a_query_are_400(client, world, query):
    client.force_login(world.office)
    for path in ("/", "/units/", "/vote/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert "ký tự không hợp lệ" in response.content.decode()


def test_nul_in_a_form_field_is_400_and_nothing_is_logged_in(client, world):
    response = client.post(reverse("login"), {"username": "canbo\x00", "password": "x"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_nul_in_a_multipart_field_is_400(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("blocs:registry_import"),
        {"organizer": "1\x00", "file": ContentFile(b"a,b\n", name="x.csv")},
    )
    assert response.status_code == 400


def test_load_demo_refuses_to_run_in_production(tmp_path):
    """With the production settings (DEBUG=0, no DEMO=1) the command stops before any write."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEMO")}
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        BALLOT_KEY="y" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'none.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEMO=1" in result.stderr
    assert not (tmp_path / "none.sqlite3").exists() or "auth_user" not in result.stdout


def test_load_demo_runs_when_asked_for(db, settings):
    settings.DEMO_ALLOWED = True  # what DEBUG=1 (make run) or DEMO=1 sets
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth.models import User

    assert User.objects.count() > 1


def test_default_storage_is_the_database(db):
    assert isinstance(default_storage, DatabaseStorage)
    name = default_storage.save("scans/a.pdf", ContentFile(b"%PDF-1.4 one"))
    again = default_storage.save("scans/a.pdf", ContentFile(b"%PDF-1.4 two"))
    assert name == "scans/a.pdf" and again != name
    with default_storage.open(name) as f:
        assert f.read() == b"%PDF-1.4 one"
    assert default_storage.size(again) == len(b"%PDF-1.4 two")
    assert default_storage.listdir("scans") == ([], sorted([name[6:], again[6:]]))
    default_storage.delete(name)
    assert not default_storage.exists(name)
    with pytest.raises(FileNotFoundError):
        default_storage.open(name)


def test_a_file_saved_in_a_rolled_back_transaction_leaves_no_orphan(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        default_storage.save("scans/orphan.pdf", ContentFile(b"%PDF-1.4"))
        assert default_storage.exists("scans/orphan.pdf")
        raise RuntimeError("the upload's other writes failed")
    assert not StoredFile.objects.filter(name__startswith="scans/orphan").exists()


def test_manage_py_works_with_production_settings_before_collectstatic(tmp_path):
    """deploy/start.sh migrates before it collects static files: nothing may need the static
    manifest at import time (a static() call in urls.py broke every fresh start)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEMO")}
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        BALLOT_KEY="y" * 40,
        STATIC_ROOT=str(tmp_path / "empty-static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
