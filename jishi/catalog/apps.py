from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jishi.catalog"
    label = "catalog"
