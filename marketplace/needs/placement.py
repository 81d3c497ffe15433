"""k-anonymity placement: at which level of generalization a need may be published.

The ladder, most specific first (the public sees the attributes of the level):

    0  county, age band, sex, household-size band, need type
    1  city,   age band, sex, household-size band, need type
    2  city,   need type                      (age, sex and household size withheld)

A need is published at the first level whose published class, counting itself, reaches k.
Ordinary needs climb only to level 1; urgent and critical ones, and needs a caseworker
approves, may go to level 2 (``max_level_for``).
When no level does, it waits ("awaiting cohort") in the review queue; when later needs make
a class reach k, the waiting needs of that class are published together with them. So the
first needs of a thin region are published as soon as k similar needs exist, never alone.
See docs/decisions/0003-k-anonymity-for-thin-regions.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

LEVELS = (0, 1, 2)
SUPPRESSED_LEVEL = 2

DisplayKey = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Attributes:
    """A need's generalized attributes before the level is chosen."""

    county: str
    city: str
    age_band: str
    sex: str
    household_size_band: str
    need_type: str

    def key(self, level: int) -> DisplayKey:
        """The quasi-identifiers the public would see at ``level``: the k-anonymity class."""
        if level == 0:
            return (self.county, self.age_band, self.sex, self.household_size_band, self.need_type)
        if level == 1:
            return (self.city, self.age_band, self.sex, self.household_size_band, self.need_type)
        return (self.city, "", "", "", self.need_type)


def published_key(
    *, public_region: str, level: int, age_band: str, sex: str, size_band: str, need_type: str
) -> DisplayKey:
    """The display key of an already published need."""
    if level >= SUPPRESSED_LEVEL:
        return (public_region, "", "", "", need_type)
    return (public_region, age_band, sex, size_band, need_type)


# Keys as stored in the database (Need.public_class, cohort_key, cohort_wide_key): the parts
# joined by "|", which no region code, band or need type contains.
def key_string(key: DisplayKey) -> str:
    return "|".join(key)


def key_from_string(value: str) -> DisplayKey:
    region, age_band, sex, size_band, need_type = value.split("|")
    return (region, age_band, sex, size_band, need_type)


def cohort_keys(attributes: Attributes, *, max_level: int) -> tuple[str, str]:
    """What a waiting need stores so that a later candidate finds it: its class at city level
    (which holds its county class too) and, if it may go that far, its class at level 2."""
    wide = key_string(attributes.key(SUPPRESSED_LEVEL)) if max_level >= SUPPRESSED_LEVEL else ""
    return key_string(attributes.key(1)), wide


class Placement:
    """Published class sizes and the waiting needs of some cities, updated as needs are placed.

    Waiting needs are opaque handles (need objects) named by a unique key (the need's code);
    each is indexed under its class at every level so that a candidate can complete a class at
    any level.
    """

    def __init__(self, *, k: int):
        self.k = k
        self.published: Counter[DisplayKey] = Counter()
        self._waiting: dict[int, defaultdict[DisplayKey, dict[str, object]]] = {
            level: defaultdict(dict) for level in LEVELS
        }
        self._attributes: dict[str, Attributes] = {}

    def add_published(self, key: DisplayKey, count: int = 1) -> None:
        self.published[key] += count

    def remove_published(self, key: DisplayKey) -> None:
        if self.published[key] > 0:
            self.published[key] -= 1

    def add_waiting(
        self, name: str, handle: object, attributes: Attributes, *, max_level: int = SUPPRESSED_LEVEL
    ) -> None:
        self._attributes[name] = attributes
        for level in LEVELS[: max_level + 1]:
            self._waiting[level][attributes.key(level)][name] = handle

    def discard_waiting(self, name: str) -> None:
        attributes = self._attributes.pop(name, None)
        if attributes is None:
            return
        for level in LEVELS:
            self._waiting[level][attributes.key(level)].pop(name, None)

    def place(
        self, name: str, handle: object, attributes: Attributes, *, max_level: int = SUPPRESSED_LEVEL
    ) -> tuple[int, list[object]] | None:
        """Publish ``handle`` at the first level up to ``max_level`` that reaches k.

        Returns ``(level, cohort)``, where ``cohort`` lists the waiting needs published with it
        at that level. ``None`` means no level reaches k yet: the candidate is added to the
        waiting needs (indexed only at the levels it may be published at).
        """
        for level in LEVELS[: max_level + 1]:
            key = attributes.key(level)
            waiting = {other: h for other, h in self._waiting[level][key].items() if other != name}
            if self.published[key] + len(waiting) + 1 >= self.k:
                for other in waiting:
                    self.discard_waiting(other)
                self.discard_waiting(name)
                self.published[key] += len(waiting) + 1
                return level, list(waiting.values())
        self.add_waiting(name, handle, attributes, max_level=max_level)
        return None


# Marks (in a waiting need's hold reason) that a caseworker approved it for publication.
CASEWORKER_APPROVED = "caseworker_approved"


def max_level_for(urgency: str, *, approved: bool = False) -> int:
    """How far a need may be generalized.

    Withholding age, sex and household size makes a need much harder for charities to match, so
    ordinary needs wait for a class at county or city level; urgent and critical ones, and
    needs a caseworker approved, may be published at the coarsest level rather than wait.
    """
    return SUPPRESSED_LEVEL if approved or urgency in ("urgent", "critical") else SUPPRESSED_LEVEL - 1
