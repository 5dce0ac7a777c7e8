"""Vietnamese first, English by the language switch; static assets are local."""

import ast
import gettext
from pathlib import Path

from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def test_pages_are_vietnamese_even_for_an_english_browser(client, world):
    client.force_login(world.office)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert "Các khối, cụm thi đua" in response.content.decode()


def test_language_switch_sets_english(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("dashboard")}
    )
    assert response.status_code == 302
    page = client.get(reverse("dashboard"))
    assert page["Content-Language"] == "en"
    assert 'lang="en"' in page.content.decode()
    assert "Emulation blocs" in page.content.decode()


def test_htmx_is_served_from_our_static_files_not_a_cdn(client, world):
    client.force_login(world.office)
    body = client.get(reverse("dashboard")).content.decode()
    assert "/static/vendor/htmx-2.0.8.min.js" in body
    assert "https://" not in body.split("<body")[0]


def test_login_page_has_labelled_fields(client, db):
    body = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">' in body and '<label for="id_password">' in body


def test_health_endpoint_answers_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True, "template": True}


def _po_entries(path: Path) -> list[dict]:
    """The live entries of a .po file (obsolete «#~» ones left out): each a dict of its
    keywords (msgctxt, msgid, msgid_plural, msgstr, msgstr[n]) and its flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"flags": set()}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            elif line.strip():
                key, _, text = line.partition(" ")
                entry[key] = ast.literal_eval(text)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_the_english_catalogue_translates_every_msgid_and_is_compiled():
    entries = _po_entries(CATALOGUE / "django.po")
    assert len(entries) > 2000
    untranslated = []
    for e in entries:
        msgstrs = [v for k, v in e.items() if k.startswith("msgstr")]
        if not msgstrs or not all(msgstrs):
            untranslated.append(e["msgid"])
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert (untranslated, fuzzy) == ([], [])
    with (CATALOGUE / "django.mo").open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in entries:
        expected = e.get("msgstr", e.get("msgstr[0]"))
        if "msgid_plural" in e:
            got = (
                compiled.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], 1)
                if "msgctxt" in e
                else compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
            )
        elif "msgctxt" in e:
            got = compiled.pgettext(e["msgctxt"], e["msgid"])
        else:
            got = compiled.gettext(e["msgid"])
        if got != expected:
            stale.append(e["msgid"])
    assert stale == [], "django.mo is older than django.po: run compilemessages"
