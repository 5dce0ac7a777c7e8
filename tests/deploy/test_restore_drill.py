"""The README's backup/restore procedure, run: pg_dump -Fc, pg_restore into a fresh database;
the rows and the stored files (default storage: PostgreSQL) come back byte for byte."""

import os
import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from blocs.models import Unit

pytestmark = [pytest.mark.postgres]


def _conninfo(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": dbname,
    }


def _env() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _args(dbname: str) -> list[str]:
    c = _conninfo(dbname)
    return ["-h", c["host"], "-p", c["port"], "-U", c["user"], "-d", dbname]


def test_a_dump_restored_into_a_fresh_database_has_the_same_rows_and_files(
    world, transactional_db, tmp_path
):
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore are not installed")
    scan = b"%PDF-1.4\n" + os.urandom(4096)
    name = default_storage.save("documents/scans/drill.pdf", ContentFile(scan))
    source = settings.DATABASES["default"]["NAME"]
    dump = tmp_path / "khoithidua.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), *_args(source)], check=True, env=_env(), timeout=300
    )
    fresh = f"kt_restore_drill_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(**(_conninfo("postgres")), autocommit=True)
    admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *_args(fresh), str(dump)],
            check=True,
            env=_env(),
            timeout=300,
        )
        with psycopg.connect(**_conninfo(fresh)) as restored:
            units = restored.execute("SELECT count(*) FROM blocs_unit").fetchone()[0]
            codes = {r[0] for r in restored.execute("SELECT code FROM blocs_unit").fetchall()}
            content = restored.execute(
                "SELECT content FROM khoithidua_storedfile WHERE name = %s", [name]
            ).fetchone()[0]
            migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert units == Unit.objects.count() > 0
        assert codes == set(Unit.objects.values_list("code", flat=True))
        assert bytes(content) == scan
        assert migrations > 0  # the schema's history came too: `migrate` on it is a no-op
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()
