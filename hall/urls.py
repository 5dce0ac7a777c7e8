from django.urls import path

from . import views

app_name = "hall"

urlpatterns = [
    path("meetings/<int:pk>/screen/", views.screen, name="screen"),
    path("meetings/<int:pk>/screen/console/", views.console, name="console"),
    path("meetings/<int:pk>/screen/show/", views.show, name="show"),
]
