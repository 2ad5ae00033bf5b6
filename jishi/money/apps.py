from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "jishi.money"
    label = "money"
