from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo marketplace builder: no models of its own, only the ``jishi demo`` command over every app."""

    name = "jishi.demo"
    label = "demo"
