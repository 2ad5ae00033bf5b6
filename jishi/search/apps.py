from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "jishi.search"
    label = "search"
