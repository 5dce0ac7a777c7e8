"""Deadline reminders: late units' delegates get one email N days before (per bloc), sent by the
background worker; never twice, the database refuses a second reminder."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from awards.models import Deadline, Registration
from jobs.models import Job
from jobs.testing import run_jobs, task_queue  # noqa: F401 - fixture
from notices import services
from notices.models import Notification, ReminderRule, ReminderSent

TODAY = dt.date(2024, 3, 28)


@pytest.fixture
def registration_due(world):
    """Registration closes 31/03/2024; units[0] has registered, the others have not."""
    Deadline.objects.create(
        bloc_year=world.bloc_year, kind="registration", due_on=dt.date(2024, 3, 31)
    )
    Registration.objects.create(bloc_year=world.bloc_year, unit=world.units[0], registered_on=TODAY)


def test_late_units_are_reminded_once_and_a_second_run_sends_nothing(
    world, registration_due, delegates, smtp
):
    counts = services.reminders_send(today=TODAY, base_url="https://thidua.example")
    assert counts == {"due": 7, "sent": 2, "skipped": 0, "failed": 0, "no_recipient": 5}
    mails = smtp.wait_for(2)
    assert sorted(str(m["To"]) for m in mails) == ["db1@donvi.gov.vn", "db2@donvi.gov.vn"]
    mail = smtp.to("db1@donvi.gov.vn")[0]
    assert mail["Subject"] == "Nhắc hạn: Đăng ký thi đua – hạn 31/03/2024"
    body = mail.get_content()
    assert f"Kính gửi {world.units[1].name}," in body
    assert "Còn 3 ngày." in body
    assert f"https://thidua.example/years/{world.bloc_year.pk}/deadlines/" in body
    assert not smtp.to("db0@donvi.gov.vn")  # units[0] registered
    # In the app too, also for world.delegate (units[1], no email).
    notified = Notification.objects.filter(kind="reminder").values_list("user__username", flat=True)
    assert sorted(notified) == ["daibieu", "db1", "db2"]
    assert ReminderSent.objects.count() == 7

    again = services.reminders_send(today=TODAY)
    later = services.reminders_send(today=TODAY + dt.timedelta(days=1))
    assert again["sent"] == later["sent"] == 0
    assert again["skipped"] == later["skipped"] == 7
    assert len(smtp.messages) == 2


def test_the_database_refuses_the_same_reminder_twice(world):
    row = {
        "bloc_year": world.bloc_year,
        "deadline_kind": "registration",
        "due_on": dt.date(2024, 3, 31),
        "unit": world.units[1],
    }
    ReminderSent.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(**row)


def test_nothing_is_sent_before_the_blocs_n_days_or_when_the_bloc_turned_reminders_off(
    world, registration_due, delegates, smtp
):
    rule = ReminderRule.objects.create(bloc=world.bloc, days_before=2)
    assert services.reminders_send(today=TODAY)["due"] == 0  # 3 days left > 2
    assert services.reminders_send(today=TODAY + dt.timedelta(days=1))["sent"] == 2
    rule.enabled = False
    rule.save()
    Deadline.objects.create(
        bloc_year=world.bloc_year, kind="self_scoring", due_on=dt.date(2024, 3, 30)
    )
    assert services.reminders_send(today=TODAY + dt.timedelta(days=1))["due"] == 0
    assert services.reminders_send(today=dt.date(2024, 4, 1))["due"] == 0  # passed


def test_the_daily_command_queues_a_job_that_the_worker_runs(
    world,
    registration_due,
    delegates,
    smtp,
    task_queue,  # noqa: F811 - the imported fixture
):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2024-03-29", stdout=out)
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED and not smtp.messages  # waits for the worker
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["sent"] == 2
    assert "đã gửi 2" in job.message
    assert len(smtp.wait_for(2)) == 2


def test_the_proposal_reminder_goes_to_the_leader_unit(world, delegates, smtp):
    # world.units[0] leads the bloc in 2024; the proposal is due 10/12 (the organizer's default).
    counts = services.reminders_send(today=dt.date(2024, 12, 8))
    assert counts["due"] == 1 and counts["sent"] == 1
    assert str(smtp.wait_for(1)[0]["To"]) == "db0@donvi.gov.vn"
