"""An illustrative secret ballot on the demo data, for trying the voter's screen, the slips, the
close confirmation, the public bulletin and the standalone verifier.

    DEBUG=1 .venv/bin/python manage.py load_demo
    DEBUG=1 .venv/bin/python scripts/demo_secret_vote.py [--leave-open]

It adds, to the Bắc Ninh demo bloc's latest year, a meeting marked "minh họa" (illustrative),
every member unit present, and a secret honour vote. Without --leave-open every unit votes
(a made-up spread, printed), the poll is closed and published, and its bundle is written to
var/demo-bulletin.json. It never touches the seed meetings: their counts stay "not reported".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoithidua.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leave-open", action="store_true", help="open the poll, cast nothing")
    args = parser.parse_args()
    import django

    django.setup()
    from django.utils import timezone

    from awards.models import AwardTitle
    from blocs.models import BlocYear
    from meetings import services
    from meetings.models import Attendance, Poll

    year = (
        BlocYear.objects.filter(bloc__organizer__code="bac-ninh")
        .select_related("bloc")
        .order_by("-year")
        .first()
    )
    meeting = services.meeting_create(
        bloc_year=year,
        kind="other",
        title="Hội nghị minh họa bỏ phiếu kín",
        starts_at=timezone.make_aware(dt.datetime(year.year, 12, 5, 8, 0)),
        place="Hội trường (minh họa)",
        notes="Dữ liệu minh họa: không phải kết quả thật.",
    )
    meeting.attendances.update(status=Attendance.Status.PRESENT)
    units = services.member_units(meeting)
    title = AwardTitle.objects.filter(code__contains="bang-khen").order_by("pk").first()
    poll = services.poll_create(
        meeting=meeting,
        kind=Poll.Kind.AWARD,
        award_title=title,
        title="Suy tôn Bằng khen (minh họa)",
        mode=Poll.Mode.SECRET,
        seats=2,
        max_marks=2,
        candidates=units[:3],
        counting_committee="Nguyễn Văn An, Trưởng ban\nTrần Thị Bình, Thành viên",
    )
    poll = services.poll_open(poll=poll)
    print(f"poll {poll.pk}: /polls/{poll.pk}/  (meeting /meetings/{meeting.pk}/)")
    if args.leave_open:
        return
    cand = list(poll.candidates.order_by("order").values_list("pk", flat=True))
    rng = random.Random(2025)
    for voter in poll.voters.select_related("poll"):
        marks = sorted(rng.sample(cand, rng.choice([1, 2, 2, 2])))
        services.ballot_cast(voter=voter, marks=marks)
    poll = services.poll_close(poll=poll)
    services.poll_publish(poll=poll)
    bundle = services.poll_bulletin_bundle(Poll.objects.get(pk=poll.pk))
    path = ROOT / "var" / "demo-bulletin.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    print(f"published; seal {poll.seal_digest}; bundle: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
