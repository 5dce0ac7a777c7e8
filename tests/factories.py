"""factory_boy factories: each gives one valid default object."""

import factory
from django.contrib.auth import get_user_model

from blocs.models import (
    Bloc,
    BlocYear,
    LeadershipTerm,
    Membership,
    Organizer,
    RoleAssignment,
    Unit,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("mat-khau-thu-nghiem")


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizer

    code = factory.Sequence(lambda n: f"tinh-{n}")
    name = factory.Sequence(lambda n: f"UBND tỉnh Thử Nghiệm {n}")
    province = factory.Sequence(lambda n: f"Thử Nghiệm {n}")
    place_name = factory.Sequence(lambda n: f"Thử Nghiệm {n}")
    office_name = factory.LazyAttribute(lambda o: f"Sở Nội vụ {o.province}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organizer = factory.SubFactory(OrganizerFactory)
    code = factory.Sequence(lambda n: f"don-vi-{n}")
    name = factory.Sequence(lambda n: f"Đơn vị số {n}")


class BlocFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bloc

    organizer = factory.SubFactory(OrganizerFactory)
    code = factory.Sequence(lambda n: f"khoi-{n}")
    name = factory.Sequence(lambda n: f"Khối thi đua số {n}")
    short_name = "KTĐ"


class BlocYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlocYear

    bloc = factory.SubFactory(BlocFactory)
    year = 2024


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    bloc_year = factory.SubFactory(BlocYearFactory)
    unit = factory.SubFactory(
        UnitFactory, organizer=factory.SelfAttribute("..bloc_year.bloc.organizer")
    )


class LeadershipTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipTerm

    bloc_year = factory.SubFactory(BlocYearFactory)
    role = LeadershipTerm.Role.LEADER
    unit = factory.SubFactory(
        UnitFactory, organizer=factory.SelfAttribute("..bloc_year.bloc.organizer")
    )
    method = LeadershipTerm.Method.APPOINTED
    status = LeadershipTerm.Status.CONFIRMED


def make_bloc_year(n_members: int = 8, year: int = 2024, organizer=None, bloc=None) -> BlocYear:
    """A bloc-year with `n_members` member units of the same organizer."""
    if bloc is None:
        bloc = BlocFactory(organizer=organizer) if organizer else BlocFactory()
    bloc_year = BlocYearFactory(bloc=bloc, year=year)
    for _ in range(n_members):
        MembershipFactory(bloc_year=bloc_year, unit=UnitFactory(organizer=bloc.organizer))
    return bloc_year


def grant(user, role: str, obj) -> RoleAssignment:
    field = {"office": "organizer", "secretary": "bloc", "delegate": "unit"}[role]
    return RoleAssignment.objects.create(user=user, role=role, **{field: obj})


def can_tho_with_soc_trang(merged_on):
    """Cần Thơ (a city) and Sóc Trăng, merged into it on `merged_on` (01/07/2025 in reality)."""
    from blocs.models import Division

    can_tho = OrganizerFactory(
        code="can-tho",
        name="UBND thành phố Cần Thơ",
        province="Cần Thơ",
        division=Division.CITY,
        place_name="Cần Thơ",
        office_name="Sở Nội vụ thành phố Cần Thơ",
    )
    soc_trang = OrganizerFactory(
        code="soc-trang",
        name="UBND tỉnh Sóc Trăng",
        province="Sóc Trăng",
        place_name="Sóc Trăng",
        office_name="Sở Nội vụ tỉnh Sóc Trăng",
        merged_into=can_tho,
        merged_on=merged_on,
    )
    return can_tho, soc_trang


def open_leader_poll(n_members: int, *, candidates: int | None = 3, **fields):
    """A year-end meeting of a new bloc-year of `n_members` units, all present, and an open
    secret leader poll on its first `candidates` member units (None: all of them). Returns
    (poll, the member units)."""
    import datetime as dt

    from django.utils import timezone

    from meetings import services
    from meetings.models import Attendance, Poll

    meeting = services.meeting_create(
        bloc_year=make_bloc_year(n_members),
        kind="yearend",
        title="Tổng kết năm 2024",
        starts_at=timezone.make_aware(dt.datetime(2024, 11, 21, 8)),
    )
    meeting.attendances.update(status=Attendance.Status.PRESENT)
    units = services.member_units(meeting)
    poll = services.poll_create(
        meeting=meeting,
        kind=Poll.Kind.LEADER,
        title="Bầu Khối trưởng năm 2025",
        candidates=units if candidates is None else units[:candidates],
        **fields,
    )
    return services.poll_open(poll=poll), units
