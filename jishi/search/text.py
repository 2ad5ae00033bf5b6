"""Text into search terms, the same way for documents and queries, whatever the backend.

Every backend indexes and matches the terms made here, never its own tokenizer's: the SQLite and the
PostgreSQL index then hold the same terms and answer the same queries alike. Latin-script words are
case-folded and stemmed with the Snowball English stemmer (so "cases" finds "case"); Chinese (and other
Han or kana) text is cut into words by jieba (the Rust port, ``rjieba``, whose dictionary ships inside the
wheel) — "search" mode at index time, which also emits the shorter words inside long ones, and precise
mode at query time. Both libraries load on first use, not at import, so processes that never search
never pay for the dictionary.

Queries are words only: quotes, ``*``, ``NEAR(``, ``OR``, ``-`` and brackets are never operators here;
each term reaches the index quoted by the backend, so no query syntax leaks to users.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
MAX_TERM_CHARS = 40
EXACT_PREFIX = "xt"

# Han ideographs and Japanese kana are written without spaces and need a segmenter; everything else
# that is a letter or a digit splits into words at anything else.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
# Function words and the operators of query languages: harmless in documents, never required in queries.
QUERY_STOPWORDS = frozenset({"a", "an", "and", "or", "not", "near", "the", "of", "for", "with", "to", "in", "on"})


def clean(text: str | None) -> str:
    """Unicode-normalised, case-folded text without lone surrogates (control characters split words)."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.encode("utf-8", "ignore").decode("utf-8"))
    return text.casefold()


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if len(word) < 3 or not word.isalpha():
        return word
    return _stemmer().stemWord(word)


@lru_cache(maxsize=200_000)
def _segment(run: str, *, for_index: bool) -> tuple[str, ...]:
    import rjieba

    words = rjieba.cut_for_search(run) if for_index else rjieba.cut(run)
    return tuple(w for w in (w.strip() for w in words) if w)


def words(text: str) -> list[tuple[str, bool]]:
    """The words of cleaned ``text`` in order, each with whether it is CJK (not yet segmented)."""
    return [(m.group(0), m.group(1) is not None) for m in _RUNS.finditer(text)]


def _terms(pieces: list[tuple[str, bool]], *, for_index: bool) -> list[str]:
    out: list[str] = []
    for word, cjk in pieces:
        if cjk:
            out.extend(_segment(word, for_index=for_index))
        else:
            out.append(stem(word[:MAX_TERM_CHARS]))
    return out


def terms(text: str | None, *, for_index: bool = True) -> list[str]:
    """Index terms of ``text``: stemmed Latin words and segmented Chinese words, in order."""
    return _terms(words(clean(text)), for_index=for_index)


@lru_cache(maxsize=100_000)
def analyse_title(title: str) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """A title's index terms, its exact-title key and its vocabulary words, reading it once."""
    pieces = words(clean(title))
    return (tuple(_terms(pieces, for_index=True)), _exact(_terms(pieces, for_index=False)),
            tuple(w for w, cjk in pieces if not cjk and 3 <= len(w) <= MAX_TERM_CHARS and w.isalpha()))


@lru_cache(maxsize=20_000)
def description_terms(text: str) -> tuple[str, ...]:
    return tuple(terms(text))


def exact_key(text: str | None) -> str | None:
    """One term standing for a whole title, so an exact title match can rank first."""
    return _exact(terms(text, for_index=False))


def _exact(everything: list[str]) -> str | None:
    # Function words do not count, as in queries: "NEAR(green tea)" is exactly "Green Tea".
    tokens = [t for t in everything if t not in QUERY_STOPWORDS] or everything
    if not tokens:
        return None
    return EXACT_PREFIX + hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).hexdigest()


def latin_words(text: str | None) -> list[str]:
    """Unstemmed Latin-script words worth keeping in the vocabulary (suggestions, spelling)."""
    return [w for w, cjk in words(clean(text)) if not cjk and 3 <= len(w) <= MAX_TERM_CHARS and w.isalpha()]


@dataclass(frozen=True)
class Query:
    """What a shopper typed, as terms the backends can match. ``prefix`` is the last, unfinished word."""

    text: str
    required: tuple[str, ...] = ()
    prefix: str | None = None
    exact: str | None = None
    words: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.prefix


def parse_query(raw: str | None, *, as_you_type: bool = False) -> Query:
    """Turn any input into a ``Query``; never raises. With ``as_you_type`` the last word is a prefix."""
    text = clean(raw)[:MAX_QUERY_CHARS].strip()
    pieces = words(text)
    typed = [w for w, _cjk in pieces]
    required: list[str] = []
    prefix = None
    for index, (word, cjk) in enumerate(pieces):
        last = index == len(pieces) - 1
        if cjk:
            segmented = list(_segment(word, for_index=False))
            if as_you_type and last and segmented and not raw.endswith((" ", "\u3000")):
                prefix = segmented.pop()
            required.extend(segmented)
        elif as_you_type and last and not raw.endswith(" "):
            prefix = word[:MAX_TERM_CHARS]
        elif word not in QUERY_STOPWORDS:
            required.append(stem(word[:MAX_TERM_CHARS]))
    if not required and not prefix:
        # A query made only of function words ("the", "or") still means them.
        required = [stem(w[:MAX_TERM_CHARS]) for w, cjk in pieces if not cjk]
    unique = tuple(dict.fromkeys(required))[:MAX_QUERY_TERMS]
    return Query(text=text, required=unique, prefix=prefix, exact=None if as_you_type else exact_key(text),
                 words=tuple(typed))


def highlight(title: str, query: Query) -> SafeString:
    """``title`` with the words that matched ``query`` in ``<mark>``, escaped for HTML."""
    wanted = set(query.required)
    chinese = sorted((t for t in wanted | ({query.prefix} if query.prefix else set())
                      if (m := _RUNS.fullmatch(t)) and m.group(1)), key=len, reverse=True)
    marks = [False] * len(title)
    # Words are found in the title as written, so the marks line up with it whatever case folding or
    # normalisation would do to its length ("ß" folds to "ss").
    for match in _RUNS.finditer(title):
        word = match.group(0)
        if match.group(1):
            for term in chinese:
                start = word.find(term)
                while start != -1:
                    for i in range(match.start() + start, match.start() + start + len(term)):
                        marks[i] = True
                    start = word.find(term, start + len(term))
            continue
        folded = clean(word)
        if stem(folded[:MAX_TERM_CHARS]) in wanted or (query.prefix and folded.startswith(query.prefix)):
            for i in range(match.start(), match.end()):
                marks[i] = True
    out, start = [], 0
    for i in range(1, len(title) + 1):
        if i == len(title) or marks[i] != marks[start]:
            piece = conditional_escape(title[start:i])
            out.append(f"<mark>{piece}</mark>" if marks[start] else str(piece))
            start = i
    return mark_safe("".join(out))  # noqa: S308  (every piece was escaped above)


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word (padded with two spaces before and one after)."""
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity``: shared trigrams over all trigrams of the two words."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0
