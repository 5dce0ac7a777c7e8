"""The sealed tally: after close, a changed ballot (or rule, or roll) is caught by every results
surface; and the standalone verifier rechecks a bundle, catching a tampered one."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from blocs.models import AuditEvent
from meetings import bulletin, minutes, services
from meetings.models import Ballot, Poll

from .conftest import cast, make_poll

TAMPERED = "Dữ liệu phiếu đã bị thay đổi sau khi kết thúc"
VERIFY = Path(services.__file__).resolve().parent / "verify.py"


def _published(world, meeting, **fields):
    u = world.units
    poll = services.poll_open(poll=make_poll(meeting, u[:3], seats=1, max_marks=1, **fields))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    plan = [u[0]] * 5 + [u[1]] * 2 + [None]
    for unit, choice in zip(u, plan, strict=True):
        cast(poll, unit, [cand[choice.pk]] if choice else [])
    services.poll_close(poll=poll)
    services.poll_publish(poll=poll)
    return Poll.objects.get(pk=poll.pk), cand


def test_a_ballot_changed_after_close_is_caught_on_every_results_surface(
    client, world, full_meeting
):
    from documents import services as documents

    poll, cand = _published(world, full_meeting)
    client.force_login(world.secretary)
    detail = reverse("meetings:poll_detail", args=[poll.pk])
    assert "Đạt 5/8 phiếu" in client.get(detail).content.decode()
    # A database writer turns two votes for u0 into votes for u1: now 3 to 4.
    ids = list(
        Ballot.objects.filter(poll=poll, marks=[cand[world.units[0].pk]]).values_list(
            "id", flat=True
        )[:2]
    )
    Ballot.objects.filter(pk__in=ids).update(marks=[cand[world.units[1].pk]])

    page = client.get(detail).content.decode()
    assert TAMPERED in page and "Đạt 4/8" not in page and "Đạt 3/8" not in page
    for name in ("meetings:poll_export_csv", "meetings:poll_export_xlsx"):
        response = client.get(reverse(name, args=[poll.pk]))
        assert response.status_code == 409 and TAMPERED in response.content.decode()
    public = client.get(reverse("meetings:poll_bulletin", args=[poll.pk]))
    assert public.status_code == 409 and TAMPERED in public.content.decode()
    bundle = client.get(reverse("meetings:poll_bulletin_json", args=[poll.pk]))
    assert bundle.status_code == 409 and TAMPERED in bundle.json()["error"]
    with pytest.raises(services.TallyTampered):
        services.poll_result(poll)
    with pytest.raises(services.TallyTampered):
        minutes.minutes_data(full_meeting)  # the minutes' producer
    with pytest.raises(services.TallyTampered):  # the minutes refuse to print it
        documents.draft_snapshot("minutes", full_meeting)
    # The lock confirmation lists the tampering as what blocks it, and offers no number.
    confirm = client.get(
        reverse("documents:finalize_confirm", args=["minutes", full_meeting.pk])
    ).content.decode()
    assert TAMPERED in confirm and "cấp số" not in confirm
    for name in ("documents:draft_preview", "documents:draft_pdf", "documents:draft_docx"):
        response = client.get(reverse(name, args=["minutes", full_meeting.pk]))
        assert response.status_code == 409, name
        assert TAMPERED in response.content.decode(), name


def test_a_result_changed_before_publication_is_not_published(client, world, full_meeting):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2]))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    for unit in u:
        cast(poll, unit, [cand[u[0].pk]])
    services.poll_close(poll=poll)
    Ballot.objects.filter(pk=Ballot.objects.filter(poll=poll).first().pk).delete()
    client.force_login(world.secretary)
    client.post(reverse("meetings:poll_publish", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    assert not AuditEvent.objects.filter(action="poll.publish").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"threshold_numerator": 1, "threshold_denominator": 3},  # an easier threshold
        {"blank_valid": False},  # blank ballots made invalid
        {"seats": 2},
    ],
)
def test_changing_the_rule_after_close_breaks_the_seal(world, full_meeting, change):
    poll, _cand = _published(world, full_meeting)
    Poll.objects.filter(pk=poll.pk).update(**change)
    with pytest.raises(services.TallyTampered):
        services.poll_seal_check(Poll.objects.get(pk=poll.pk))


def test_a_forged_seal_in_the_poll_row_is_caught_by_the_audit_log(world, full_meeting):
    poll, cand = _published(world, full_meeting)
    Ballot.objects.filter(poll=poll).update(marks=[cand[world.units[1].pk]])
    forged = bulletin.seal_of(services.poll_bulletin(poll, check=False))
    Poll.objects.filter(pk=poll.pk).update(seal_digest=forged)
    with pytest.raises(services.TallyTampered):
        services.poll_seal_check(Poll.objects.get(pk=poll.pk))


# --- the standalone verifier -------------------------------------------------------------------


def _bundle(client, poll) -> dict:
    response = client.get(reverse("meetings:poll_bulletin_json", args=[poll.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def _verify(tmp_path, data, *args):
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    # -I: isolated mode, no app directory or environment on sys.path: it must stand alone.
    return subprocess.run(
        [sys.executable, "-I", str(VERIFY), str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_verifier_rechecks_a_good_bundle_and_the_seal_in_the_minutes(
    client, world, full_meeting, tmp_path
):
    poll, _cand = _published(world, full_meeting)
    data = _bundle(client, poll)
    assert data["digests"]["bulletin"] == poll.seal_digest
    assert len(data["receipts"]) == 8 and all("receipt" not in b for b in data["ballots"])
    result = _verify(tmp_path, data, "--seal", poll.seal_digest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SAI" not in result.stdout and "KẾT LUẬN: KHỚP" in result.stdout
    # an honour poll: "Được suy tôn", never "Trúng cử" (that is for elections, see below)
    assert f"Được suy tôn: {world.units[0].name}" in result.stdout
    assert f"{world.units[0].name}: 5/8 (62,5%) — đạt, được suy tôn" in result.stdout
    assert "[OK ] đơn vị được suy tôn khớp" in result.stdout
    assert "trúng cử" not in result.stdout.lower()
    wrong_seal = _verify(tmp_path, data, "--seal", "0" * 64)
    assert wrong_seal.returncode == 1


@pytest.mark.parametrize("kind", [Poll.Kind.LEADER, Poll.Kind.DEPUTY])
def test_the_verifier_says_trung_cu_only_for_an_election(
    client, world, full_meeting, tmp_path, kind
):
    poll, _cand = _published(world, full_meeting, kind=kind, title="Bầu Khối trưởng năm sau")
    data = _bundle(client, poll)
    assert data["poll"]["kind"] == kind
    result = _verify(tmp_path, data, "--seal", poll.seal_digest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Trúng cử: {world.units[0].name}" in result.stdout
    assert f"{world.units[0].name}: 5/8 (62,5%) — trúng cử" in result.stdout
    assert f"{world.units[1].name}: 2/8 (25%) — không đạt ngưỡng" in result.stdout
    assert "[OK ] đơn vị trúng cử khớp" in result.stdout
    assert "suy tôn" not in result.stdout


def test_the_verifier_catches_a_tampered_bundle(client, world, full_meeting, tmp_path):
    poll, cand = _published(world, full_meeting)
    data = _bundle(client, poll)
    # Two ballots for u0 become ballots for u1, and the published count follows them.
    moved = 0
    for b in data["ballots"]:
        if b.get("marks") == [cand[world.units[0].pk]] and moved < 2:
            b["marks"] = [cand[world.units[1].pk]]
            moved += 1
    data["ballots"].sort(key=bulletin.canonical)
    result = _verify(tmp_path, data)
    assert result.returncode == 1
    assert "[SAI] mã băm nội dung phiếu" in result.stdout
    assert "[SAI] mã niêm phong" in result.stdout
    assert "[SAI] số phiếu khớp kết quả của phần mềm" in result.stdout
    # A bundle whose digests were recomputed still fails against the seal in the minutes.
    data["digests"]["ballots"] = bulletin.sha256(data["ballots"])
    data["digests"]["bulletin"] = bulletin.seal_of(data)
    data["published"]["votes"] = {
        str(cand[world.units[0].pk]): 3,
        str(cand[world.units[1].pk]): 4,
        str(cand[world.units[2].pk]): 0,
    }
    data["published"]["winners"] = []
    data["published"]["runoff"] = [cand[world.units[1].pk], cand[world.units[0].pk]]
    assert _verify(tmp_path, data).returncode == 0  # self-consistent …
    assert _verify(tmp_path, data, "--seal", poll.seal_digest).returncode == 1  # … but not ours


def test_the_verifier_imports_nothing_but_the_standard_library():
    tree = ast.parse(VERIFY.read_text(encoding="utf-8"))
    modules = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}, modules
