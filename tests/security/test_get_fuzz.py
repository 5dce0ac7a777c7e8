"""Every GET parameter of every page the roles reach, fuzzed with hypothesis: bad bytes (NUL,
invalid UTF-8, huge values, odd numbers) give 400 or an ordinary page, never a 500."""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .crawl import crawl

# Parameters the list pages read, tried on every page even where no link carries them.
COMMON = ["q", "page", "year", "organizer", "level", "archived", "status", "sort", "kind", "next"]


class GetForms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_get_form = (a.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and a.get("name"):
            self.names.add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _targets(world) -> list[tuple[str, str, str]]:
    """(role, path, parameter) for every page crawled as each role."""
    found: dict[tuple[str, str], set[str]] = {}
    for role in ROLES:
        client = Client()
        client.force_login(world.users()[role])
        for url, (response, _scan) in crawl(client, ["/"], limit=60).items():
            if response.status_code != 200:
                continue
            parts = urlsplit(url)
            names = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
            if response.get("Content-Type", "").startswith("text/html"):
                forms = GetForms()
                forms.feed(response.content.decode())
                names |= forms.names
            found.setdefault((role, parts.path), set()).update(names | set(COMMON))
    return sorted((r, p, n) for (r, p), names in found.items() for n in names)


ROLES = ("office", "superuser", "secretary", "delegate")
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10).map(
        lambda s: s + "\x00"
    ),
    st.sampled_from(["-1", "0", "99999999999999999999999", "1e309", "NaN", "２０２４", "' OR 1=1"]),
    st.integers(min_value=100, max_value=100_000).map(lambda n: "x" * n),
)
hostile_bytes = st.binary(min_size=1, max_size=20)


@pytest.mark.postgres
def test_no_get_parameter_of_any_page_gives_a_500(world):
    cases = _targets(world)
    assert len({path for _, path, _ in cases}) > 30  # the crawl reached the app's pages
    clients = {}
    for role in ROLES:
        clients[role] = Client(raise_request_exception=True)
        clients[role].force_login(world.users()[role])

    # Every (page, parameter) once with a NUL byte and once with invalid UTF-8 ...
    swept = set()
    for role, path, name in cases:
        if (path, name) in swept:
            continue
        swept.add((path, name))
        for value in ("%00", "a%00b", "%FF%FE", "%C3%28"):
            response = clients[role].get(f"{path}?{quote(name)}={value}")
            assert response.status_code < 500, (role, path, name, value, response.status_code)

    # ... then hypothesis draws pages, parameters and values at random.
    @settings(
        max_examples=200,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def one_request(data):
        role, path, name = data.draw(st.sampled_from(cases))
        if data.draw(st.booleans()):
            value = data.draw(hostile_text)
            query = f"{quote(name)}={quote(value)}"
        else:
            query = f"{quote(name)}=" + "".join(f"%{b:02X}" for b in data.draw(hostile_bytes))
        response = clients[role].get(f"{path}?{query}")
        assert response.status_code < 500, (role, path, query[:200], response.status_code)

    one_request()
