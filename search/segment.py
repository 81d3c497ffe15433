"""Chinese word segmentation (jieba) for the database backend, at index and at query time.

SQLite FTS5 and PostgreSQL's ``simple`` parser split text at spaces and punctuation only, so a
Chinese sentence is one "word" to them and a two-character query such as 医疗 finds nothing.
Text is therefore segmented into words first and stored space-separated (``tokens``): at index
time with ``cut_for_search`` (a long word also yields its shorter words: 医疗救助 → 医疗 救助
医疗救助), at query time with ``cut`` (the words the user meant).

jieba's dictionary takes ~1 s and ~50 MB to load: it is loaded once per process, lazily, on the
first text to segment (never at start-up: web processes that only serve pages never load it).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

_lock = threading.Lock()
_tokenizer = None

# What is kept of a word: letters and digits of any script (punctuation and spaces are dropped).
WORD = re.compile(r"\w", re.UNICODE)
# Characters FTS5 and to_tsquery would read as syntax: never part of a stored or queried token.
SYNTAX = re.compile(r"[\"'*^():&|!<>\-+\\]")
MAX_QUERY_TERMS = 10


def tokenizer():
    """The process's jieba tokenizer, its dictionary loaded on first use (thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.initialize()
                _tokenizer = instance
    return _tokenizer


def _clean(words) -> list[str]:
    out = []
    for word in words:
        word = SYNTAX.sub("", word).strip().lower()
        if word and WORD.search(word):
            out.append(word)
    return out


@lru_cache(maxsize=16384)
def index_tokens(text: str) -> str:
    """``text`` as space-separated words for the index (search mode: long words and their parts).

    Remembered per distinct text: titles and summaries repeat (composed titles, boilerplate),
    and segmenting costs ~50 µs per short text."""
    if not text:
        return ""
    return " ".join(_clean(tokenizer().cut_for_search(text)))


@lru_cache(maxsize=2048)
def query_terms(query: str) -> tuple[str, ...]:
    """The distinct words of a query, in order (at most ``MAX_QUERY_TERMS``): 武汉 教育 → (武汉, 教育)."""
    terms: list[str] = []
    for part in query.split():
        for word in _clean(tokenizer().cut(part)):
            if word not in terms:
                terms.append(word)
    return tuple(terms[:MAX_QUERY_TERMS])


def phrase_of(query: str) -> str:
    """The query as the exact phrase that ranks first: its words joined without spaces (Chinese
    text has none between words: 武汉 教育 → 武汉教育); empty for a one-character query."""
    phrase = "".join(query.split())
    return phrase if len(phrase) > 1 else ""
