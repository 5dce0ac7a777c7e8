"""The in-app notification list: newest first, unread marked and counted in the top bar,
opening one marks it read and goes to its page; constant queries as the list grows."""

from django.urls import reverse

from notices import services
from notices.models import Notification


def test_the_top_bar_counts_unread_notifications_and_opening_one_marks_it_read(client, world):
    services.notify(
        users=[world.delegate], kind="invitation", title="Giấy mời: Hội nghị A", url="/"
    )
    services.notify(users=[world.delegate], kind="reminder", title="Nhắc hạn: Đăng ký thi đua")
    client.force_login(world.delegate)
    page = client.get(reverse("dashboard")).text
    assert '<span class="badge notif-count">2<span class="visually-hidden"> chưa xem</span>' in page
    first = Notification.objects.get(title="Giấy mời: Hội nghị A")
    opened = client.get(reverse("notices:notification_open", args=[first.pk]))
    assert opened["Location"] == "/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert ">1<span" in client.get(reverse("dashboard")).text
    client.post(reverse("notices:notifications_read"))
    assert "notif-count" not in client.get(reverse("dashboard")).text


def test_the_list_keeps_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(40):
        services.notify(users=[world.delegate], kind="reminder", title=f"Thông báo số {i}")
    client.force_login(world.delegate)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("notices:notification_list"))
    assert "Thông báo số 39" in page.text and "Thông báo số 9<" not in page.text  # 30 per page
    assert "Trang 1/2" in page.text


def test_a_notification_never_links_outside_the_site(world):
    import pytest
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=world.delegate, kind="reminder", title="x", url="https://evil.example/"
        )
