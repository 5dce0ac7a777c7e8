"""The main pages are valid HTML: the Nu HTML Checker (npm vnu-jar, run with Java) finds no error."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .pages import anonymous_pages, main_pages, rich_world

VNU = (
    Path(__file__).resolve().parents[2]
    / "tools"
    / "node_modules"
    / "vnu-jar"
    / "build"
    / "dist"
    / "vnu.jar"
)

# htmx's own attributes (hx-get, hx-post, hx-headers ...) are the one thing the checker does not
# know; only those messages are filtered, nothing else.
HTMX_ATTRIBUTES = r"Attribute “hx-[a-z-]+” not allowed on element “[a-z]+” at this point\."

pytestmark = [
    pytest.mark.skipif(not VNU.exists(), reason="vnu.jar chưa cài (cd tools && npm install)"),
    pytest.mark.skipif(not shutil.which("java"), reason="Java không có trên máy"),
]


def _render_all(client, world, tmp_path) -> dict[Path, str]:
    extra = rich_world(world)
    files = {}
    for who, pages in ((None, anonymous_pages(extra)), (world.office, main_pages(world, extra))):
        client.logout()
        if who is not None:
            client.force_login(who)
        for name, url in pages:
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
            path = tmp_path / (name.replace(" ", "-").replace(":", "") + ".html")
            path.write_bytes(response.content)
            files[path] = f"{name} ({url})"
    return files


def test_the_main_pages_pass_the_nu_html_checker_without_errors(client, world, tmp_path):
    files = _render_all(client, world, tmp_path)
    assert len(files) >= 20
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--filterpattern",
            HTMX_ATTRIBUTES,
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{files[Path(m['url'].removeprefix('file:'))]} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)
