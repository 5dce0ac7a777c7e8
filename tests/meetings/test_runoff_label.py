"""The runoff choice «all» is worded for elections and honour votes alike (issue 10: «trúng cử»
is for elections only), the same on the bloc's rules and on the poll, in both languages."""

from django.utils import translation

from blocs.models import Bloc
from meetings.models import Poll

NEUTRAL = "tất cả đơn vị chưa trúng cử / chưa được suy tôn"


def _choices(model) -> dict:
    return {value: str(label) for value, label in model._meta.get_field("runoff_rule").choices}


def test_the_all_candidates_runoff_names_elections_and_honour_votes_on_bloc_and_poll():
    with translation.override("vi"):
        assert str(Poll.RunoffRule.ALL.label) == NEUTRAL
        assert _choices(Poll)["all"] == _choices(Bloc)["all"] == NEUTRAL
        assert _choices(Poll) == _choices(Bloc)  # one wording for the bloc's default and the poll


def test_the_english_interface_says_elected_or_honoured():
    with translation.override("en"):
        assert (
            _choices(Poll)["all"]
            == _choices(Bloc)["all"]
            == "every unit not yet elected / honoured"
        )


def test_the_poll_page_shows_the_neutral_rule_for_an_honour_vote(client, world):
    from tests.sample_meeting import make_meeting

    meeting = make_meeting(world.bloc_year, polls=1)
    poll = meeting.polls.get()
    assert poll.kind == Poll.Kind.AWARD
    Poll.objects.filter(pk=poll.pk).update(runoff_rule=Poll.RunoffRule.ALL)
    client.force_login(world.office)
    from django.urls import reverse

    html = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert NEUTRAL in html
