from django.urls import reverse


def test_office_sees_own_bloc_on_dashboard_but_not_other_province(client, world):
    client.force_login(world.office)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert world.bloc.name in response.content.decode()
    assert world.other_bloc_year.bloc.name not in response.content.decode()
