"""Celery entry points for the catalogue; each only calls a service."""

from celery import shared_task

from jishi.catalog import indexing, services


@shared_task(name="jishi.catalog.tasks.index_store_products")
def index_store_products(store_id: int) -> int:
    return indexing.index_store(store_id)


@shared_task(name="jishi.catalog.tasks.index_category_products")
def index_category_products(category_ids: list[int]) -> int:
    return indexing.index_categories(category_ids)


@shared_task(name="jishi.catalog.tasks.refresh_sort_prices")
def refresh_sort_prices() -> int:
    return services.refresh_sort_prices()
