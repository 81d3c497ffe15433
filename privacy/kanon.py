"""k-anonymity over the quasi-identifiers of published needs.

A published need shows a region, an age band, a sex, a household-size band and a need type.
Together these can single out a household in a thin county, so a need is published only when
at least ``k`` published needs (itself included) share all five values: its equivalence class.

These functions only count. The intake service decides what to do with a need whose class is
too small: publish at county level if the class is large enough, otherwise swap the county for
its city (``generalize_key``) and try again, otherwise hold it for a caseworker's review.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

DEFAULT_K = 5

_REGION_CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class QuasiKey:
    """The published values that could, combined, identify a household (准标识符)."""

    region_code: str
    age_band: str
    sex: str
    household_size_band: str
    need_type: str


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError("k must be at least 1")


def class_sizes(records: Iterable[QuasiKey]) -> Counter[QuasiKey]:
    """Return how many records fall into each equivalence class. Never raises."""
    return Counter(records)


def smallest_class_size(records: Iterable[QuasiKey]) -> int:
    """Return the size of the smallest equivalence class, or 0 when there are no records.

    The records are k-anonymous exactly when this is at least k. Never raises.
    """
    sizes = class_sizes(records)
    return min(sizes.values(), default=0)


def violating_classes(records: Iterable[QuasiKey], k: int = DEFAULT_K) -> set[QuasiKey]:
    """Return the classes that hold fewer than ``k`` records.

    Raises ``ValueError`` when ``k`` is less than 1.
    """
    _check_k(k)
    return {key for key, size in class_sizes(records).items() if size < k}


def would_satisfy(existing_counts: Mapping[QuasiKey, int], candidate: QuasiKey, k: int = DEFAULT_K) -> bool:
    """Say whether publishing ``candidate`` leaves its class with at least ``k`` records.

    ``existing_counts`` are the class sizes of what is already published (a missing class
    counts 0); the candidate itself counts one. Raises ``ValueError`` when ``k`` is less than 1.
    """
    _check_k(k)
    return existing_counts.get(candidate, 0) + 1 >= k


def generalize_key(key: QuasiKey, *, city_code: str) -> QuasiKey:
    """Return ``key`` with its county replaced by its city (市州), everything else unchanged.

    ``city_code`` must be the 6-digit code of the city that contains the county, i.e. share
    its first four digits. The four county-level units administered by the province (仙桃
    ``429004``, 潜江, 天门, 神农架) are their own city: pass their own code. Raises
    ``ValueError`` when ``city_code`` is not 6 digits or does not contain ``key.region_code``.
    """
    if not _REGION_CODE.fullmatch(city_code):
        raise ValueError("city_code must be 6 digits")
    # A county-level unit administered by the province (its code has 90 as the 3rd-4th
    # digits) shares its first four digits with its siblings, so only its own code fits.
    directly_administered = key.region_code[2:4] == "90"
    if key.region_code[:4] != city_code[:4] or (directly_administered and city_code != key.region_code):
        raise ValueError("city_code is not the city of the key's region")
    return replace(key, region_code=city_code)
