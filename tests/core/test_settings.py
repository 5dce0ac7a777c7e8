"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys

from django.conf import settings


def _run(env_extra: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    env.update(env_extra)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='khoithidua.settings'; django.setup(); "
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def test_production_without_secret_key_refuses_to_start():
    result = _run({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_database_url_selects_postgresql_and_defaults_are_vietnamese():
    result = _run(
        {"DEBUG": "0", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@127.0.0.1:5432/db"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["khoithidua.db.postgresql", "vi", "Asia/Ho_Chi_Minh"]


def test_default_database_is_sqlite_under_var():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='khoithidua.settings'; "
            "django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['NAME'])",
        ],
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(settings.BASE_DIR / "var" / "khoithidua.sqlite3")
