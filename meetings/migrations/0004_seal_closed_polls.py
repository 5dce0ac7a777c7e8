"""Polls closed before sealed tallies existed get their bulletin digest now (issue 9).

Their receipts were stored beside the ballot contents (the flaw being fixed) and are dropped by
0003, so their bulletin has no receipt list. The seal fixes the rest from now on.
"""

from django.db import migrations

from meetings import bulletin as bulletin_format

MOTION_LABELS = {"yes": "Tán thành", "no": "Không tán thành", "abstain": "Không ý kiến"}


def seal_closed_polls(apps, schema_editor):
    Poll = apps.get_model("meetings", "Poll")
    for poll in Poll.objects.filter(status__in=("closed", "published")).exclude(mode="reported"):
        motion = poll.kind == "motion"
        if motion:
            options = [{"id": k, "label": MOTION_LABELS[k]} for k in bulletin_format.MOTION_CHOICES]
        else:
            options = [
                {"id": c.pk, "label": c.label or c.unit.name}
                for c in poll.candidates.select_related("unit")
            ]
        voted = set(poll.casts.values_list("unit_id", flat=True))
        roll = {
            "members": poll.member_count or 0,
            "quorum_needed": poll.quorum_needed,
            "voters": [
                {"unit": unit, "name": name, "voted": unit in voted}
                for unit, name in poll.voters.values_list("unit_id", "name")
            ],
        }
        ballots = [
            bulletin_format.ballot_entry(marks=m, choice=c, invalid=i)
            for m, c, i in poll.ballots.values_list("marks", "choice", "invalid")
        ]
        paper = None
        if poll.mode == "paper" and poll.ballots_returned is not None:
            paper = {
                "issued": poll.ballots_issued,
                "returned": poll.ballots_returned,
                "invalid": poll.paper_invalid or 0,
                "blank": poll.paper_blank or 0,
                "votes": {
                    str(pc.choice if motion else pc.candidate_id): pc.votes
                    for pc in poll.paper_counts.all()
                },
            }
        named = None
        if poll.mode == "open":
            named = []
            for cast in poll.casts.select_related("open_ballot"):
                b = cast.open_ballot
                named.append(
                    {
                        "unit": cast.unit_id,
                        **bulletin_format.ballot_entry(
                            marks=b.marks if b else [],
                            choice=b.choice if b else "",
                            invalid=b.invalid if b else False,
                        ),
                    }
                )
        data = bulletin_format.build(
            poll={
                "id": poll.pk,
                "title": poll.title,
                "kind": poll.kind,
                "mode": poll.mode,
                "round": poll.round_no,
            },
            rule={
                "seats": poll.seats,
                "max_marks": poll.max_marks,
                "base": poll.base,
                "numerator": poll.threshold_numerator,
                "denominator": poll.threshold_denominator,
                "strict": poll.threshold_strict,
                "blank_valid": poll.blank_valid,
                "allow_self_vote": poll.allow_self_vote,
                "runoff_rule": poll.runoff_rule,
                "basis": poll.basis,
                "blank_basis": poll.blank_basis,
            },
            options=options,
            roll=roll,
            receipts=[],
            ballots=ballots,
            paper=paper,
            named=named,
        )
        poll.seal_digest = data["digests"]["bulletin"]
        poll.save(update_fields=["seal_digest"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_secret_ballot")]

    operations = [migrations.RunPython(seal_closed_polls, migrations.RunPython.noop)]
