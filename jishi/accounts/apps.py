from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jishi.accounts"
    label = "accounts"
