"""The facet arithmetic and the text pipeline are pure functions: properties hold for any input."""

from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from jishi.search import rules, text
from jishi.search.backends.base import FacetGroup

COUNTRIES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


@given(st.integers(min_value=1, max_value=10**9), COUNTRIES, st.booleans())
def test_a_facet_key_unpacks_to_what_was_packed(category_id, country, in_stock):
    assert rules.split_facet_key(rules.facet_key(category_id, country, in_stock)) == (category_id, country, in_stock)


@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["CN", "US"]), st.booleans(), st.integers(-1, 6),
                          st.integers(1, 50)), max_size=30),
       st.sampled_from([None, Decimal(20), Decimal(55)]), st.sampled_from([None, Decimal(55), Decimal(300)]))
def test_every_facet_counts_what_the_other_filters_let_through(rows, low, high):
    steps = [Decimal(10), Decimal(50), Decimal(100)]
    bounds = rules.group_bounds(steps, low, high)
    groups = [FacetGroup(c, k, s, min(p, len(bounds)), n) for c, k, s, p, n in rows]
    filters = rules.Filters(category_ids=frozenset({1, 2}), country="CN", in_stock=False, low=low, high=high)
    counts = rules.facet_counts(groups, filters, bounds, steps)
    assert sum(n for c, n in counts.categories.items() if c in {1, 2}) == counts.total
    assert counts.countries["CN"] == counts.total
    assert counts.in_stock <= counts.total
    everything = rules.facet_counts(groups, rules.Filters(), bounds, steps)
    assert everything.total == sum(g.count for g in groups)
    assert sum(everything.prices) == sum(g.count for g in groups if g.price_group >= 0)


@settings(deadline=None)  # the first call loads the segmenter's dictionary
@given(st.text(max_size=300))
def test_any_text_becomes_words_without_syntax(raw):
    query = text.parse_query(raw)
    assert all(t and '"' not in t and "*" not in t and " " not in t for t in query.required)
    text.parse_query(raw, as_you_type=True)
    assert "<" not in str(text.highlight(raw, query)).replace("<mark>", "").replace("</mark>", "")


def test_price_bands_are_round_amounts_in_the_shoppers_currency():
    assert rules.price_steps(Decimal(1)) == [10, 20, 50, 100, 200, 500]
    assert rules.price_steps(Decimal("7.1")) == [50, 200, 500, 2000, 5000]
    for rate in (Decimal("0.0007"), Decimal("0.9"), Decimal(150), Decimal(1400)):
        steps = rules.price_steps(rate)
        assert steps == sorted(set(steps)) and len(steps) >= 3
        assert all(step.normalize().as_tuple().digits[0] in (1, 2, 5) for step in steps)


def test_the_sample_spreads_over_patterned_ids_and_estimates_round_to_two_figures():
    # Demo products take their category round-robin by id: every class of ids must be sampled alike.
    cut = rules.sample_cut(40_000)
    sampled = [i for i in range(1, 40_001) if rules.in_sample(i, cut)]
    assert 3_800 <= len(sampled) <= 4_200
    for classes in (7, 16, 150):
        shares = [sum(1 for i in sampled if i % classes == c) for c in range(classes)]
        expected = len(sampled) / classes
        assert all(abs(s - expected) <= max(4, expected * 0.25) for s in shares), classes
    assert rules.sample_cut(10) == rules.SAMPLE_MODULUS
    assert [rules.estimate(n, 16.3) for n in (0, 1, 5, 760, 4000)] == [0, 16, 82, 12000, 65000]
    counts = rules.FacetCounts(total=100, categories=Counter({1: 60, 2: 40, 3: 0}), prices=[50, 50], in_stock=90)
    scaled = rules.scaled(counts, 1000, 100, total=1003)
    assert scaled.approximate and not scaled.approximate_total and scaled.total == 1003
    assert scaled.categories == Counter({1: 600, 2: 400}) and scaled.prices == [500, 500] and scaled.in_stock == 900
    assert rules.scaled(counts, 1000, 100).approximate_total
