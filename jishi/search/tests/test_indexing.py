"""The index follows the catalogue: every change a seller or the operator makes shows in the results."""

import pytest
from django.core.management import call_command

from jishi.catalog import indexing
from jishi.catalog import services as catalog
from jishi.catalog.models import Category
from jishi.catalog.search import parse_search_params, search_products
from jishi.orders.tasks import refresh_search_sales
from jishi.search.models import SearchDocument
from jishi.stores import services as stores
from tests.factories import UserFactory, buy_now

from .conftest import add_product

pytestmark = pytest.mark.django_db


def found(q: str, **filters) -> list[int]:
    params = parse_search_params({"q": q, **filters})
    return [hit.product.id for hit in search_products(params=params, language="en", currency="USD").hits]


def test_a_new_title_replaces_the_old_one_at_once(catalogue):
    product = catalogue["headphones"]
    catalog.update_product(access=catalogue["gadgets"], product=product,
                           translations=[{"language": "en", "title": "Studio Monitor Speakers", "description": ""}])
    assert found("speakers") == [product.id]
    assert found("bluetooth") == []  # the category still says "headphones"


def test_archiving_and_publishing_take_products_out_and_back(catalogue):
    product = catalogue["green_tea"]
    catalog.set_product_status(access=catalogue["tea"], product=product, status="archived")
    assert product.id not in found("green tea")
    catalog.set_product_status(access=catalogue["tea"], product=product, status="active")
    assert found("green tea")[0] == product.id


def test_deleted_products_leave_the_index(catalogue):
    product = catalogue["oolong"]
    catalog.delete_product(access=catalogue["tea"], product=product)
    assert found("oolong") == [] and not SearchDocument.objects.filter(product_id=product.id).exists()


def test_variant_changes_move_price_stock_and_options(catalogue):
    product = catalogue["headphones"]
    variant = product.variants.get()
    catalog.update_variant(access=catalogue["gadgets"], variant=variant,
                           data={"options": {"colour": "Ruby Red"}, "stock": 0})
    assert found("ruby") == [product.id] and found("navy") == []
    assert found("headphones", in_stock="1") == []
    catalog.set_stock(access=catalogue["gadgets"], variant=variant, stock=3)
    assert found("headphones", in_stock="1") == [product.id]


def test_selling_out_through_checkout_clears_the_in_stock_flag(catalogue, rates):
    product = catalogue["case_en"]
    catalog.set_stock(access=catalogue["gadgets"], variant=product.variants.get(), stock=1)
    buy_now(UserFactory(), product.variants.get())
    assert found("smartphones", in_stock="1") == []
    assert found("smartphones") == [product.id]


def test_suspension_hides_at_once_and_reinstatement_brings_back(catalogue, django_capture_on_commit_callbacks):
    operator = UserFactory(is_staff=True)
    stores.suspend_store(store=catalogue["tea_store"], reason="Check", actor=operator)
    assert found("tea") == []
    with django_capture_on_commit_callbacks(execute=True):
        stores.reinstate_store(store=catalogue["tea_store"], actor=operator)
    assert set(found("tea")) == {catalogue["green_tea"].id, catalogue["gift_box"].id, catalogue["oolong"].id}


def test_a_renamed_store_is_found_by_its_new_name(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stores.update_store(access=catalogue["gadgets"], name="Pearl River Electronics")
    assert len(found("pearl river")) == 3 and found("austin") == []


def test_a_store_that_moves_is_filtered_by_its_new_country(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stores.update_store(access=catalogue["gadgets"], country="DE")
    assert set(found("headphones", country="DE")) == {catalogue["headphones"].id}
    assert found("headphones", country="US") == []


def test_a_product_moved_to_another_category_is_filtered_by_it(catalogue):
    product = catalogue["headphones"]
    catalog.update_product(access=catalogue["gadgets"], product=product,
                           category=Category.objects.get(slug="phone-cases"))
    assert product.id in found("wireless", category="phone-cases")
    assert found("wireless", category="headphones") == []


def test_a_renamed_category_is_found_by_its_new_name(catalogue, django_capture_on_commit_callbacks):
    category = Category.objects.get(slug="headphones")
    category.names = {**category.names, "en": "Earphones", "zh-hans": "耳塞"}
    category.save()
    with django_capture_on_commit_callbacks(execute=True):
        indexing.reindex_categories_later(category_ids=[category.id])
    from jishi.catalog.selectors import invalidate_category_tree
    invalidate_category_tree()
    indexing.index_categories([category.id])
    assert found("耳塞") == [catalogue["headphones"].id]


def test_best_selling_ranks_by_units_paid_for(catalogue, rates):
    buyer = UserFactory()
    group = buy_now(buyer, catalogue["gift_box"].variants.get(), quantity=2)
    from jishi.orders.models import OrderStatus
    group.orders.update(status=OrderStatus.PAID)
    assert refresh_search_sales() == 1
    assert found("tea", sort="best_selling")[0] == catalogue["gift_box"].id
    group.orders.update(status=OrderStatus.CANCELLED)
    refresh_search_sales()
    assert found("tea", sort="best_selling") == found("tea", sort="newest")


def test_a_rebuild_keeps_the_best_sellers_first_and_counts_them_again(catalogue, rates,
                                                                      django_capture_on_commit_callbacks):
    from jishi.orders.models import OrderStatus

    buy_now(UserFactory(), catalogue["gift_box"].variants.get(), quantity=2).orders.update(status=OrderStatus.PAID)
    refresh_search_sales()
    indexing.rebuild_index()
    assert found("tea", sort="best_selling")[0] == catalogue["gift_box"].id
    SearchDocument.objects.all().delete()  # an index that never counted them
    with django_capture_on_commit_callbacks(execute=True):
        call_command("search", "reindex", no_progress=True)
    assert found("tea", sort="best_selling")[0] == catalogue["gift_box"].id


def test_a_rebuild_finds_what_the_incremental_index_found(catalogue, capsys):
    before = {q: found(q) for q in ("tea", "绿茶", "手机壳", "Austin Gadgets", "navy")}
    SearchDocument.objects.all().delete()
    call_command("search", "reindex")
    assert {q: found(q) for q in before} == before
    out = capsys.readouterr()
    assert "Indexed 6 products" in out.out and "100.0%" in out.err


def test_exchange_rate_changes_reach_the_price_filter(catalogue, rates, django_capture_on_commit_callbacks):
    from jishi.money.services import record_rate_change

    # 80 CNY = 12.50 USD at 8 CNY per EUR; at 16 per EUR it is 6.25 USD.
    assert catalogue["green_tea"].id in found("green tea", price_min="12", price_max="13")
    with django_capture_on_commit_callbacks(execute=True):
        record_rate_change(currency="CNY", rate="16")
    assert found("green tea", price_min="6", price_max="7") == [catalogue["green_tea"].id]


def test_products_without_a_title_in_the_query_language_keep_their_facets(catalogue):
    product = add_product(catalogue["gadgets"], zh="降噪蓝牙耳机", category="headphones", price="99.00")
    assert found("蓝牙耳机")[0] == product.id


def test_the_demo_marketplace_is_searchable_at_once():
    from jishi.search.models import SearchDocument as Document

    call_command("demo", products=60, no_images=True)
    assert Document.objects.count() >= 55
    assert found("tea") or found("shirt") or found("phone")



def test_postgresql_keeps_the_vectors_out_of_the_rows_a_search_reads(catalogue):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's storage")
    from jishi.search import rules
    from jishi.search.backends.postgres import _SAMPLE_CUT, SAMPLE_LEXEME

    with connection.cursor() as cursor:
        cursor.execute("SELECT d.product_id, pg_column_size(d.document), d.document @@ %s::tsquery, "
                       "length(strip(d.document)) FROM search_searchdocument d", [f"'{SAMPLE_LEXEME}'"])
        rows = cursor.fetchall()
    assert rows
    for product_id, size, sampled, lexemes in rows:
        # Past the ~2 kB above which PostgreSQL moves a value out of the row (its storage is EXTERNAL).
        assert size > 2040 and lexemes > 3
        assert sampled == rules.in_sample(product_id, _SAMPLE_CUT)


def test_postgresql_plans_each_search_for_its_own_words_and_restores_the_settings(catalogue):
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    from jishi.search.backends import get_backend

    def settings() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('plan_cache_mode')")
            return cursor.fetchone()

    before = settings()
    with transaction.atomic():  # a caller's transaction, as in a test or a view that writes too
        with get_backend().reading():
            assert settings() == ("off", "force_custom_plan")
            assert found("tea")
        assert settings() == before
