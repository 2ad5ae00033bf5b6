"""Which leaf category a new product belongs in, guessed from its title as the seller types it.

Title words are read as search reads them (stemmed English, segmented Chinese: ``search.text``) and
matched against the category names in every language, rarer words counting more and a leaf's own name
more than its parents'; the categories of the listed products that the index finds for the title add their
share. The words of the category names are worked out once per version of the cached tree; a guess then
costs two queries, the index's page of matches and those products' categories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from jishi.catalog.models import Category, Product
from jishi.catalog.selectors import CategoryTree, get_category_tree
from jishi.search import selectors as index
from jishi.search import text

# How many of the best-matching listed products vote for their category.
SUGGESTION_VOTERS = 20
_SUGGESTION_TERMS: dict[str, tuple] = {}


@dataclass(frozen=True)
class CategorySuggestion:
    category: Category
    path: list[Category]  # from the top-level category down to ``category``

    def label(self, language: str) -> str:
        return " › ".join(node.name_in(language) for node in self.path)


def _meaningful(terms) -> set[str]:
    return {t for t in terms if t not in text.QUERY_STOPWORDS and (len(t) > 1 or not t.isascii())}


def _name_terms(name: str) -> set[str]:
    """Search terms of a name or title, plus its hyphenated words joined ("T-shirt" also gives "tshirt")."""
    return _meaningful([*text.terms(name), *(text.terms(name.replace("-", "")) if "-" in name else [])])


@dataclass(frozen=True)
class _LeafTerms:
    # leaf id → each word of its names (in every language) and its ancestors' names, with how much it
    # counts: 3 in the leaf's own name, 2 in its parent's, 1 higher up
    terms: dict[int, dict[str, int]]
    weight: dict[str, float]  # rarer words say more: "sneaker" more than "men"
    order: dict[int, int]  # category id → its place in the tree, to break ties


def _leaf_terms(tree: CategoryTree) -> _LeafTerms:
    """The words of each leaf category's names; kept until the category tree changes."""
    cached = _SUGGESTION_TERMS.get("leaves")
    if cached and cached[0] is tree:
        return cached[1]
    leaves, frequency = {}, {}
    for category in tree.by_id.values():
        if tree.children.get(category.id):
            continue
        counted: dict[str, int] = {}
        chain = [category, *reversed(tree.ancestors(category))]
        for depth, node in enumerate(chain):
            for term in set().union(*(_name_terms(n) for n in node.names.values())):
                counted.setdefault(term, max(1, 3 - depth))
        leaves[category.id] = counted
        for term in counted:
            frequency[term] = frequency.get(term, 0) + 1
    weight = {term: math.log(1 + len(leaves) / count) for term, count in frequency.items()}
    found = _LeafTerms(terms=leaves, weight=weight,
                       order={category_id: position for position, category_id in enumerate(_tree_order(tree))})
    _SUGGESTION_TERMS["leaves"] = (tree, found)
    return found


def _categories_of_similar_products(title: str) -> dict[int, float]:
    """The share of each category among the visible products that best match ``title`` (two queries)."""
    query = text.parse_query(title)
    if query.is_empty:
        return {}
    # As the seller types: like the search bar's suggestions, rank a window, not every match of a word.
    ids = index.top_matches(query, limit=SUGGESTION_VOTERS)
    votes: dict[int, float] = {}
    for category_id in Product.objects.filter(id__in=ids).values_list("category_id", flat=True):
        votes[category_id] = votes.get(category_id, 0) + 1 / len(ids)
    return votes


def suggest_categories(title: str, *, limit: int = 3) -> list[CategorySuggestion]:
    """Leaf categories a product titled ``title`` likely belongs in, best first."""
    title = (title or "").strip()[:text.MAX_QUERY_CHARS]
    wanted = _name_terms(title)
    if not wanted:
        return []
    tree = get_category_tree()
    leaves = _leaf_terms(tree)
    scores: dict[int, float] = {}
    for category_id, counted in leaves.terms.items():
        score = sum(counted[t] * leaves.weight[t] for t in wanted & counted.keys())
        if score:
            scores[category_id] = score
    top = max(scores.values(), default=1.0)
    for category_id, share in _categories_of_similar_products(title).items():
        if category_id in leaves.terms:
            scores[category_id] = scores.get(category_id, 0) + top * share
    best = sorted(scores, key=lambda category_id: (-scores[category_id], leaves.order.get(category_id, 0)))[:limit]
    return [CategorySuggestion(category=tree.by_id[c], path=[*tree.ancestors(tree.by_id[c]), tree.by_id[c]])
            for c in best]


def _tree_order(tree: CategoryTree) -> list[int]:
    ordered, stack = [], list(reversed(tree.roots))
    while stack:
        node = stack.pop()
        ordered.append(node.id)
        stack.extend(reversed(tree.children.get(node.id, [])))
    return ordered
