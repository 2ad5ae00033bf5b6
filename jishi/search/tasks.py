"""Celery entry points for search; each only calls a service."""

from celery import shared_task

from jishi.search import services


@shared_task(name="jishi.search.tasks.index_store_products", autoretry_for=(Exception,), retry_backoff=True,
             max_retries=6)
def index_store_products(store_id: int) -> int:
    return services.index_store(store_id)


@shared_task(name="jishi.search.tasks.index_category_products", autoretry_for=(Exception,), retry_backoff=True,
             max_retries=6)
def index_category_products(category_ids: list[int]) -> int:
    return services.index_categories(category_ids)


@shared_task(name="jishi.search.tasks.refresh_sales")
def refresh_sales() -> int:
    return services.refresh_sales()
