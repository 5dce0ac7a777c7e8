from tests.e2e.conftest import (  # noqa: F401 - fixtures
    browser,
    browser_errors,
    new_page,
    pytest_runtest_makereport,
)
from tests.feedback.conftest import _warm_live_server  # noqa: F401 - fixture
from tests.meetings.conftest import (  # noqa: F401 - fixtures and helpers
    codes,
    full_meeting,
    make_meeting,
    make_poll,
    mark_present,
    meeting,
)
