import urllib.request  # noqa: E402

import pytest  # noqa: E402

from tests.e2e.conftest import (  # noqa: F401 - fixtures and helpers
    browser,
    browser_errors,
    login,
    new_page,
    pytest_runtest_makereport,
)


@pytest.fixture(autouse=True)
def _warm_live_server(request):
    """The live server's first page compiles templates and imports views: several seconds on a
    busy machine, more than Playwright's 10 s budget for one navigation. Warm it up first."""
    if "live_server" in request.fixturenames:
        server = request.getfixturevalue("live_server")
        urllib.request.urlopen(server.url + "/login/", timeout=120).read()
