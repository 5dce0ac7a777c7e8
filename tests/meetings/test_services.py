import pytest
from django.core.exceptions import ValidationError

from blocs.models import AuditEvent, BlocYear, LeadershipTerm
from meetings import crypto, services
from meetings.models import Attendance, Ballot, Poll, PollCandidate, SealedBallot, VoteCast

from .conftest import codes, make_poll, mark_present


def _cand(poll):
    return {c.unit_id: c.pk for c in poll.candidates.all()}


def test_meeting_create_makes_one_attendance_row_per_member(world, meeting):
    assert meeting.attendances.count() == 8
    assert set(meeting.attendances.values_list("status", flat=True)) == {"unknown"}


def test_quorum_follows_bloc_fraction(world, meeting):
    mark_present(meeting, world.units[:5])
    q = services.quorum(meeting)
    assert (q.present, q.members, q.needed, q.reached) == (5, 8, 6, False)
    mark_present(meeting, world.units[5:6])
    assert services.quorum(meeting).reached


def test_bloc_quorum_setting_changes_needed(world, meeting):
    bloc = world.bloc
    bloc.quorum_numerator, bloc.quorum_denominator = 1, 2
    bloc.save()
    mark_present(meeting, world.units[:4])
    assert services.quorum(meeting).reached


def test_absent_unit_needs_a_reason(world, meeting):
    with pytest.raises(ValidationError):
        services.attendance_mark(meeting=meeting, unit=world.units[0], status="absent")
    row = services.attendance_mark(
        meeting=meeting, unit=world.units[0], status="absent", reason="Bận công tác"
    )
    assert row.reason == "Bận công tác"


def test_checkin_code_works_once(world, meeting):
    services.checkin_codes_issue(meeting=meeting)
    row = meeting.attendances.get(unit=world.units[2])
    services.checkin_with_code(code=row.checkin_code.lower(), delegates="Nguyễn Văn A")
    row.refresh_from_db()
    assert row.status == "present" and row.method == "self" and row.delegates == "Nguyễn Văn A"
    assert row.checkin_code is None
    with pytest.raises(ValidationError):
        services.checkin_with_code(code="ZZZZZZZZ")


def test_secretary_cannot_open_poll_without_quorum(world, meeting):
    mark_present(meeting, world.units[:5])
    poll = make_poll(meeting, world.units[:2])
    with pytest.raises(ValidationError, match="túc số"):
        services.poll_open(poll=poll)
    poll.refresh_from_db()
    assert poll.status == "draft"


def test_open_freezes_roll_of_present_units_with_hash(world, meeting):
    mark_present(meeting, world.units[:6])
    poll = services.poll_open(poll=make_poll(meeting, world.units[:2]))
    assert poll.roll_size == 6 and poll.member_count == 8
    assert len(poll.roll_hash) == 64
    assert set(codes(poll)) == {u.pk for u in world.units[:6]}
    # A unit checking in later does not join the frozen roll.
    mark_present(meeting, world.units[6:7])
    assert poll.voters.count() == 6


def test_secret_ballot_is_stored_sealed_without_voter_and_receipt_is_returned(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    cand = _cand(poll)
    receipt = services.ballot_cast(
        code=codes(poll)[world.units[3].pk], marks=[cand[world.units[0].pk]]
    )
    # While open: no plaintext ballot, one sealed box, and "this unit voted" with its receipt.
    assert not Ballot.objects.filter(poll=poll).exists()
    sealed = SealedBallot.objects.get(poll=poll)
    assert b'"m"' not in bytes(sealed.box)
    assert len(sealed.box) == crypto.plaintext_size(poll.max_marks) + crypto.SEALED_OVERHEAD
    field_names = {f.name for f in SealedBallot._meta.get_fields()} | {
        f.name for f in Ballot._meta.get_fields()
    }
    assert not field_names & {"unit", "voter", "receipt", "created_at", "cast_at"}
    cast = VoteCast.objects.get(poll=poll)
    assert (cast.unit_id, cast.receipt, cast.open_ballot) == (world.units[3].pk, receipt, None)
    assert not any(receipt in str(e.data) or receipt in e.summary for e in AuditEvent.objects.all())


def test_unit_cannot_vote_twice_and_the_second_try_shows_the_first_receipt(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    code = codes(poll)[world.units[0].pk]
    receipt = services.ballot_cast(code=code, blank=True)
    with pytest.raises(services.AlreadyVoted, match="đã được ghi nhận") as refused:
        services.ballot_cast(code=code, marks=[_cand(poll)[world.units[1].pk]])
    assert refused.value.receipt == receipt
    assert SealedBallot.objects.filter(poll=poll).count() == 1


def test_an_empty_ballot_is_refused_unless_blank_is_chosen(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    voter = poll.voters.get(unit=world.units[0])
    with pytest.raises(services.VoteRefused, match="Phiếu trắng"):
        services.ballot_cast(voter=voter, marks=[])
    with pytest.raises(services.VoteRefused, match="không được đánh dấu"):
        services.ballot_cast(voter=voter, marks=[_cand(poll)[world.units[1].pk]], blank=True)
    assert not VoteCast.objects.filter(poll=poll).exists()
    services.ballot_cast(voter=voter, blank=True)
    services.poll_close(poll=poll, confirm_low_turnout=True)
    assert services.poll_counts(poll).blank == 1


def test_one_ballot_per_unit_is_a_database_constraint(world, full_meeting):
    from django.db import IntegrityError, transaction

    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    VoteCast.objects.create(poll=poll, unit=world.units[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteCast.objects.create(poll=poll, unit=world.units[0])


def test_ballot_marks_are_checked(world, full_meeting):
    poll = services.poll_open(
        poll=make_poll(full_meeting, world.units[:3], seats=2, max_marks=2, allow_self_vote=False)
    )
    cand = _cand(poll)
    c = codes(poll)
    with pytest.raises(services.VoteRefused, match="tối đa 2"):
        services.ballot_cast(code=c[world.units[5].pk], marks=list(cand.values()))
    with pytest.raises(services.VoteRefused, match="chính mình"):
        services.ballot_cast(code=c[world.units[0].pk], marks=[cand[world.units[0].pk]])
    with pytest.raises(services.VoteRefused, match="không thuộc"):
        services.ballot_cast(code=c[world.units[5].pk], marks=[999999])
    with pytest.raises(services.VoteRefused, match="không đúng"):
        services.ballot_cast(code="NOPE1234AB", marks=[])
    assert not SealedBallot.objects.filter(poll=poll).exists()


def test_late_ballot_after_close_is_refused(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    c = codes(poll)
    services.ballot_cast(code=c[world.units[0].pk], blank=True)
    services.poll_close(poll=poll, confirm_low_turnout=True)
    with pytest.raises(services.VoteRefused):
        services.ballot_cast(code=c[world.units[1].pk], blank=True)
    with pytest.raises(ValidationError):
        services.poll_close(poll=poll, confirm_low_turnout=True)
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_close_opens_the_sealed_boxes_shuffles_and_seals_the_tally(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    assert poll.public_key and poll.wrapped_key
    cand = _cand(poll)
    for i, unit in enumerate(world.units):
        services.ballot_cast(code=codes(poll)[unit.pk], marks=[cand[world.units[i % 2].pk]])
    sealed_ids = set(SealedBallot.objects.filter(poll=poll).values_list("id", flat=True))
    poll = services.poll_close(poll=poll)
    # The boxes and the private key are gone; the plaintext ballots have new random keys.
    assert not SealedBallot.objects.filter(poll=poll).exists() and poll.wrapped_key is None
    assert not sealed_ids & set(Ballot.objects.filter(poll=poll).values_list("id", flat=True))
    assert services.poll_counts(poll).votes == {
        cand[world.units[0].pk]: 4,
        cand[world.units[1].pk]: 4,
    }
    assert len(poll.seal_digest) == 64
    assert AuditEvent.objects.get(action="poll.close").data["seal"] == poll.seal_digest
    services.poll_seal_check(poll)  # untouched: no error
    b = Ballot.objects.filter(poll=poll).first()
    b.marks = []
    b.save()
    with pytest.raises(services.TallyTampered):
        services.poll_seal_check(poll)


def _vote(poll, world, plan):
    """plan: list of lists of candidate units, one per voter in world.units order."""
    cand = _cand(poll)
    c = codes(poll)
    for unit, marks in zip(world.units, plan, strict=False):
        services.ballot_cast(code=c[unit.pk], marks=[cand[m.pk] for m in marks], blank=not marks)


def test_results_winner_and_vietnamese_sentence(world, full_meeting):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2]))
    _vote(poll, world, [[u[0]]] * 7 + [[u[1]]])
    poll = services.poll_close(poll=poll, confirm_low_turnout=True)
    outcome = services.poll_outcome(poll)
    by_label = {line.label: line for line in outcome.lines}
    win = by_label[u[0].name]
    assert win.status == "won"
    assert win.sentence.startswith("Đạt 7/8 phiếu (87,5%), vượt ngưỡng trên 1/2 số phiếu hợp lệ")
    assert by_label[u[1].name].status == "lost"


def test_tie_at_cut_off_is_flagged_and_runoff_between_tied(world, full_meeting):
    u = world.units
    poll = make_poll(full_meeting, u[:3], seats=2, max_marks=2, threshold_strict=False)
    poll = services.poll_open(poll=poll)
    # Everyone marks u0; second marks split 4/4 between u1 and u2.
    _vote(poll, world, [[u[0], u[1]]] * 4 + [[u[0], u[2]]] * 4)
    poll = services.poll_close(poll=poll, confirm_low_turnout=True)
    outcome = services.poll_outcome(poll)
    assert outcome.winners == [PollCandidate.objects.get(poll=poll, unit=u[0]).pk]
    assert len(outcome.tied) == 2 and outcome.open_seats == 1
    runoff = services.poll_runoff_create(poll=poll)
    assert runoff.previous == poll and runoff.round_no == 2 and runoff.seats == 1
    assert set(runoff.candidates.values_list("unit_id", flat=True)) == {u[1].pk, u[2].pk}
    with pytest.raises(ValidationError):
        services.poll_runoff_create(poll=poll)


def test_after_max_rounds_a_tie_break_decision_is_recorded(world, full_meeting):
    u = world.units
    poll = make_poll(
        full_meeting, u[:2], seats=1, max_rounds=1, threshold_numerator=1, threshold_denominator=3
    )
    poll = services.poll_open(poll=poll)
    _vote(poll, world, [[u[0]]] * 4 + [[u[1]]] * 4)
    poll = services.poll_close(poll=poll, confirm_low_turnout=True)
    with pytest.raises(ValidationError):
        services.poll_runoff_create(poll=poll)
    tied = list(PollCandidate.objects.filter(poll=poll, unit=u[1]))
    services.poll_record_tie_break(
        poll=poll, winners=tied, decided_by="Khối trưởng và Khối phó", basis="Quy chế Khối, Điều 8"
    )
    outcome = services.poll_outcome(poll)
    assert outcome.winners == [tied[0].pk] and not outcome.tied
    assert "Khối trưởng và Khối phó" in outcome.summary


def test_motion_result(world, full_meeting):
    poll = make_poll(full_meeting, kind=Poll.Kind.MOTION, title="Thông qua giao ước năm 2025")
    poll = services.poll_open(poll=poll)
    c = list(codes(poll).values())
    for i, code in enumerate(c):
        choice = ["yes", "yes", "yes", "yes", "yes", "no", "abstain", ""][i]
        services.ballot_cast(code=code, choice=choice, blank=not choice)
    poll = services.poll_close(poll=poll, confirm_low_turnout=True)
    outcome = services.poll_outcome(poll)
    assert outcome.adopted is True
    assert outcome.counts.blank == 1 and outcome.counts.valid == 8
    assert "5/8" in outcome.summary


def test_publish_of_award_poll_proposes_awards(world, full_meeting):
    from awards.models import Award

    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2]))
    _vote(poll, world, [[u[1]]] * 6 + [[u[0]]] * 2)
    services.poll_close(poll=poll, confirm_low_turnout=True)
    services.poll_publish(poll=poll, meeting_url="/meetings/1/")
    award = Award.objects.get(bloc_year=world.bloc_year, unit=u[1])
    assert award.status == "proposed" and "Suy tôn" in award.source_label
    services_audit = AuditEvent.objects.filter(action="poll.publish").count()
    assert services_audit == 1


def test_leader_election_sets_next_years_leader_creating_the_year(world, full_meeting):
    u = world.units
    poll = make_poll(full_meeting, u[2:4], kind=Poll.Kind.LEADER, title="Bầu Khối trưởng năm 2025")
    poll = services.poll_open(poll=poll)
    _vote(poll, world, [[u[2]]] * 5 + [[u[3]]] * 3)
    services.poll_close(poll=poll, confirm_low_turnout=True)
    services.poll_publish(poll=poll, meeting_url="/meetings/x/")
    next_year = BlocYear.objects.get(bloc=world.bloc, year=2025)
    term = LeadershipTerm.objects.get(bloc_year=next_year, role="leader")
    assert term.unit == u[2] and term.method == "elected" and term.elected_at_url == "/meetings/x/"


def test_paper_counts_checked_and_results_computed(world, full_meeting):
    u = world.units
    poll = services.poll_open(poll=make_poll(full_meeting, u[:2], mode=Poll.Mode.PAPER))
    cands = _cand(poll)
    with pytest.raises(ValidationError):
        services.poll_close(poll=poll, confirm_low_turnout=True)
    with pytest.raises(ValidationError):
        services.paper_counts_save(
            poll=poll,
            votes={cands[u[0].pk]: 9, cands[u[1].pk]: 0},
            ballots_issued=8,
            ballots_returned=8,
            invalid=0,
            blank=0,
            committee="Nguyễn Văn A",
        )
    services.paper_counts_save(
        poll=poll,
        votes={cands[u[0].pk]: 5, cands[u[1].pk]: 2},
        ballots_issued=8,
        ballots_returned=8,
        invalid=1,
        blank=0,
        committee="Nguyễn Văn A – Trưởng ban",
    )
    poll = services.poll_close(poll=poll, confirm_low_turnout=True)
    outcome = services.poll_outcome(poll)
    assert outcome.counts.valid == 7
    assert outcome.lines[0].sentence.startswith("Đạt 5/7 phiếu (71,43%)")


def test_reported_outcome_is_recorded_without_counts(world, meeting):
    u = world.units
    poll = make_poll(meeting, u[:3], mode=Poll.Mode.REPORTED, seats=2, max_marks=2)
    winners = list(poll.candidates.filter(unit__in=u[:2]))
    services.poll_record_reported(poll=poll, winners=winners, basis="Bản tin ngày 10/01/2023")
    poll.refresh_from_db()
    assert poll.status == "published"
    outcome = services.poll_outcome(poll)
    assert set(outcome.winners) == {w.pk for w in winners}
    assert "không được báo cáo" in outcome.lines[0].sentence


def test_every_state_change_is_audited(world, full_meeting):
    poll = services.poll_open(poll=make_poll(full_meeting, world.units[:2]))
    services.poll_close(poll=poll, confirm_low_turnout=True)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "meeting.create",
        "attendance.mark",
        "poll.create",
        "poll.open",
        "poll.close",
    } <= actions
    assert Attendance.objects.count() == 8
