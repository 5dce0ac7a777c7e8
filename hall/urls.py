from django.urls import path

from . import views

app_name = "hall"

urlpatterns = [
    path("meetings/<int:pk>/screen/console/", views.console, name="console"),
    path("meetings/<int:pk>/screen/show/", views.show, name="show"),
    # Last: the key is hex, never "console" or "show".
    path("meetings/<int:pk>/screen/<str:key>/", views.screen, name="screen"),
]
