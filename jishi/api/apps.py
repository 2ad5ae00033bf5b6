from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jishi.api"
    label = "api"
