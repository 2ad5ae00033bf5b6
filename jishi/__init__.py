"""Jishi (集市): an open-source marketplace platform."""

from jishi.celery import app as celery_app

__all__ = ["celery_app"]
