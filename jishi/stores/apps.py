from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "jishi.stores"
    label = "stores"
