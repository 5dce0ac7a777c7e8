"""Vietnamese first, English by the language switch; static assets are local."""

from django.urls import reverse


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
