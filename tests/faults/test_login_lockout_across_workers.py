"""The login lockout holds across gunicorn workers: the failure count is shared, not per process."""

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from .conftest import csrf_token

pytestmark = [pytest.mark.postgres]


def _attempt(base: str, username: str, password: str) -> int:
    s = requests.Session()  # a new connection each time: the attempts spread over the workers
    page = s.get(f"{base}/login/", timeout=30)
    r = s.post(
        f"{base}/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(page.text),
            "username": username,
            "password": password,
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    return r.status_code


def _production_password(user, password: str) -> None:
    """gunicorn runs the production settings (PBKDF2), the tests hash with MD5 for speed."""
    user.password = PBKDF2PasswordHasher().encode(password, "muoi-thu-nghiem", iterations=1000)
    user.save(update_fields=["password"])


def test_after_five_failures_spread_over_four_workers_the_right_password_gets_429(world, gunicorn):
    _production_password(world.office, "mat-khau-thu-nghiem")
    _production_password(world.secretary, "mat-khau-thu-nghiem")
    server = gunicorn(workers=4)
    failures = [_attempt(server.url, "canbo", "sai-mat-khau") for _ in range(5)]
    assert failures == [200] * 5
    assert _attempt(server.url, "canbo", "mat-khau-thu-nghiem") == 429
    assert _attempt(server.url, "thuky", "mat-khau-thu-nghiem") == 302
