from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản và thư mời")

    def ready(self):
        from . import loginnotice  # noqa: F401  (connects the failed-login notice's receivers)
