"""What shoppers find: the same suite passes on SQLite FTS5 and on PostgreSQL (CI runs it on both)."""

import pytest
from django.db import connection

from jishi.catalog.search import parse_search_params, search_products, suggest
from jishi.stores.services import suspend_store
from tests.factories import UserFactory

from .conftest import add_product

pytestmark = pytest.mark.django_db


def find(q: str, language: str = "en", currency: str = "USD", **filters):
    params = parse_search_params({"q": q, **{k: str(v) for k, v in filters.items()}})
    return search_products(params=params, language=language, currency=currency)


def ids(results) -> list[int]:
    return [hit.product.id for hit in results.hits]


def test_the_backend_is_the_database_in_use():
    from jishi.search.backends import get_backend

    assert get_backend().name.startswith({"sqlite": "sqlite", "postgresql": "postgresql"}[connection.vendor])


def test_an_exact_title_match_ranks_first(catalogue):
    # The gift box says "green tea" three times; the product called exactly that still comes first.
    assert ids(find("green tea"))[0] == catalogue["green_tea"].id
    assert ids(find("GREEN  tea!"))[0] == catalogue["green_tea"].id
    assert set(ids(find("green tea"))) == {catalogue["green_tea"].id, catalogue["gift_box"].id}


def test_chinese_queries_find_chinese_titles(catalogue):
    assert ids(find("绿茶"))[0] == catalogue["green_tea"].id
    assert catalogue["case_zh"].id in ids(find("手机壳"))
    assert ids(find("乌龙茶")) == [catalogue["oolong"].id]


def test_english_queries_find_english_titles_with_stemming(catalogue):
    assert ids(find("headphone")) == [catalogue["headphones"].id]
    assert ids(find("covers smartphone")) == [catalogue["case_en"].id]
    assert ids(find("teas")) and catalogue["green_tea"].id in ids(find("teas"))


def test_an_english_only_product_is_found_by_its_chinese_category_name(catalogue):
    found = ids(find("手机壳"))
    assert catalogue["case_en"].id in found and catalogue["case_zh"].id in found


def test_a_store_name_finds_its_products(catalogue):
    found = set(ids(find("Austin Gadgets")))
    assert found == {catalogue["case_zh"].id, catalogue["case_en"].id, catalogue["headphones"].id}


def test_descriptions_and_option_values_are_searched(catalogue):
    assert ids(find("navy")) == [catalogue["headphones"].id]
    assert ids(find("music charge")) == [catalogue["headphones"].id]


def test_archived_products_and_suspended_stores_never_appear(catalogue):
    assert catalogue["archived"].id not in ids(find("archived edition"))
    assert find("archived").page.total == 0
    suspend_store(store=catalogue["gadget_store"], reason="Counterfeits", actor=UserFactory(is_staff=True))
    assert find("headphones").page.total == 0
    assert find("手机壳").page.total == 0
    assert find("tea").page.total == 3


def test_facet_counts_equal_the_matching_products(catalogue):
    add_product(catalogue["gadgets"], en="Green Tea Flavoured Phone Case", category="phone-cases", price="15.00")
    results = find("tea")
    total = results.page.total
    assert total == len(results.hits) == 4
    assert sum(c.count for c in results.facets.categories) == total
    assert sum(c.count for c in results.facets.countries) == total
    assert sum(b.count for b in results.facets.prices) == total
    for entry in results.facets.categories:
        assert find("tea", category=entry.category.slug).page.total == entry.count
    for entry in results.facets.countries:
        narrowed = find("tea", country=entry.code)
        assert narrowed.page.total == entry.count == len(narrowed.hits)
    for band in results.facets.prices:
        bounds = {k: v for k, v in (("price_min", band.low), ("price_max", band.high)) if v is not None}
        assert find("tea", **bounds).page.total == band.count
    assert find("tea", in_stock="1").page.total == results.facets.in_stock == 3


def test_a_chosen_filter_keeps_the_other_choices_counted(catalogue):
    add_product(catalogue["gadgets"], en="Green Tea Flavoured Phone Case", category="phone-cases", price="15.00")
    results = find("tea", country="US")
    assert results.page.total == 1
    # Other countries are still offered with their own counts.
    assert {c.code: c.count for c in results.facets.countries} == {"CN": 3, "US": 1}
    assert [c.category.slug for c in results.facets.categories] == ["phones-accessories"]
    drilled = find("tea", category="food-tea")
    assert [c.slug for c in drilled.facets.trail] == ["food-tea"]
    assert {c.category.slug: c.count for c in drilled.facets.categories} == {"tea": 2}


def test_price_filters_are_in_the_shoppers_currency(catalogue, rates):
    # 80 CNY is 12.50 USD, 300 CNY 46.875 USD, 59 USD is 59 USD.
    assert set(ids(find("tea", currency="USD", price_min="12", price_max="13"))) == {catalogue["green_tea"].id}
    assert set(ids(find("tea", currency="CNY", price_min="70", price_max="90"))) == {catalogue["green_tea"].id}
    assert find("tea", currency="CNY").currency == "CNY"


def test_sorts(catalogue, rates):
    by_price = ids(find("tea", sort="price_asc"))
    assert by_price == [catalogue["oolong"].id, catalogue["green_tea"].id, catalogue["gift_box"].id]
    assert ids(find("tea", sort="price_desc")) == by_price[::-1]
    newest = ids(find("tea", sort="newest"))
    assert newest == sorted(newest, reverse=True)
    # No orders yet: best selling falls back to newest.
    assert ids(find("tea", sort="best_selling")) == newest


def test_typos_in_latin_words_are_forgiven(catalogue):
    results = find("blutooth headphnes")
    assert results.corrected == "bluetooth headphones"
    assert ids(results) == [catalogue["headphones"].id]


def test_an_empty_result_suggests_a_spelling_and_related_categories(catalogue):
    results = find("grene tea", country="US")
    assert results.page.total == 0 and results.did_you_mean == "green tea"
    assert results.related and any(c.slug.endswith("tea") for c in results.related)


def test_suggestions_complete_the_word_being_typed(catalogue):
    typed = suggest("wireless blue", language="en")
    assert "wireless bluetooth" in typed.completions
    assert [h.product.id for h in typed.hits] == [catalogue["headphones"].id]
    assert "<mark>Bluetooth</mark>" in typed.hits[0].title_html
    chinese = suggest("绿", language="zh-hans")
    assert any(c.slug == "green-tea" for c, _ancestors in chinese.categories)
    # One letter after a word is not matched as a prefix yet: the products follow the word before it.
    one_letter = suggest("wireless b", language="en")
    assert [h.product.id for h in one_letter.hits] == [catalogue["headphones"].id]
    assert "<mark>Wireless</mark> Bluetooth" in one_letter.hits[0].title_html


@pytest.mark.parametrize("q", ['"green', "tea*", "NEAR(green tea)", "green OR tea", "-tea", "tea)", "((", "'; DROP TABLE x;--",
                               "title:green", "\ud800tea", "\x00", "a" * 5000, "茶" * 300, "^*", "AND", "NOT tea"])
def test_operators_and_garbage_never_fail(catalogue, q):
    results = find(q)
    assert results.page.total >= 0
    suggest(q, language="en")


def test_operators_are_plain_words(catalogue):
    assert catalogue["green_tea"].id in ids(find('"green" tea*'))
    assert catalogue["green_tea"].id in ids(find("green OR tea"))
    assert ids(find("NEAR(green tea)"))[0] == catalogue["green_tea"].id


def test_broad_queries_rank_a_window_and_sort_by_index_without_losing_results(catalogue, rates, monkeypatch):
    from jishi.search.backends import base, postgres, sqlite

    for n in range(6):
        add_product(catalogue["tea"], en=f"Green Tea Sampler {n}", price=f"{20 + n}.00")
    everything = {q: set(ids(find(q, page_size="50"))) for q in ("tea", "green tea")}
    by_price = ids(find("tea", sort="price_asc", page_size="50"))
    monkeypatch.setattr(base, "RANK_WINDOW", 3)
    monkeypatch.setattr(postgres, "RANK_WINDOW", 3)
    monkeypatch.setattr(sqlite, "SORT_BY_INDEX_FROM", 2)
    assert ids(find("green tea"))[0] == catalogue["green_tea"].id
    for q, expected in everything.items():
        seen = []
        for page in range(1, -(-len(expected) // 3) + 1):
            seen += ids(find(q, page_size="3", page=str(page)))
        assert set(seen) == expected and len(seen) == len(expected)
    assert ids(find("tea", sort="price_asc", page_size="50")) == by_price
    narrowed = find("tea", country="CN", in_stock="1", page_size="2")
    assert narrowed.page.total == 8 and len(narrowed.hits) == 2



@pytest.fixture
def whole_sample(monkeypatch):
    """Every document in the facet sample (before the catalogue is indexed): estimates equal the counts."""
    from jishi.search import rules
    from jishi.search.backends import postgres

    monkeypatch.setattr(rules, "SAMPLE_SIZE", 10**9)
    monkeypatch.setattr(postgres, "SAMPLE_EVERY", 1)
    monkeypatch.setattr(postgres, "_SAMPLE_CUT", rules.SAMPLE_MODULUS)


def test_broad_queries_estimate_their_counts_from_a_sample_and_say_so(whole_sample, catalogue, monkeypatch):
    from jishi.search import rules

    add_product(catalogue["gadgets"], en="Green Tea Flavoured Phone Case", category="phone-cases", price="15.00")
    exact = find("tea")
    assert not exact.approximate and not exact.approximate_total
    monkeypatch.setattr(rules, "APPROXIMATE_FROM", 2)
    everything = find("tea")
    assert everything.approximate and everything.page.total == exact.page.total == 4
    # SQLite counts the matches on its text index; PostgreSQL estimates them from the sample too.
    assert everything.approximate_total == (connection.vendor == "postgresql")
    assert {c.category.slug: c.count for c in everything.facets.categories} == \
        {c.category.slug: c.count for c in exact.facets.categories}
    assert [(b.low, b.count) for b in everything.facets.prices] == [(b.low, b.count) for b in exact.facets.prices]
    assert everything.facets.in_stock == exact.facets.in_stock
    monkeypatch.setattr(rules, "MIN_SAMPLED_TOTAL", 1)
    narrowed = find("tea", country="CN")
    assert narrowed.approximate_total and narrowed.page.total == 3 == len(narrowed.hits)
    # Too few sampled matches pass the filter for an estimate: those are counted exactly.
    monkeypatch.setattr(rules, "MIN_SAMPLED_TOTAL", 10)
    assert not find("tea", country="US").approximate
    if connection.vendor == "sqlite":
        # A sparse sample: the total without filters is still the exact count of the text index.
        monkeypatch.setattr(rules, "SAMPLE_SIZE", 1)
        sparse = find("tea", page_size="50")
        assert sparse.approximate and sparse.page.total == 4 and len(sparse.hits) == 4
