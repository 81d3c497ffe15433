"""k-anonymity placement: how general each published attribute of a need must be.

Every attribute of a need that the public sees and that someone who knows the household may
know (a quasi-identifier) has a hierarchy of generalization levels, most specific first:

    place        county → city
    age          band (30-39岁) → wider band (18-39岁) → withheld
    sex          shown → withheld
    size         band (3-4人) → wider band (3人及以上) → withheld
    categories   the exact low-income categories → 低收入家庭 (``LOW_INCOME``)
    department   the pushing department → withheld

The need type is never generalized: it is what the need is. A generalization (a ``Node``) picks
one level per attribute; the public class of a need at a node is the tuple of the values the
public sees there (``Attributes.key``). As anonymization tools such as ARX do, the nodes form a
lattice and each has an information loss (``LOSS``, summed over the attributes): a need is
published at the node of least loss whose published class, counting itself, reaches k.
Ordinary needs may only widen bands (``ORDINARY``); urgent and critical ones, and needs a
caseworker approves, may also have their age, sex and household size withheld (``WIDE``,
``max_level_for``).

When no node reaches k, the need waits ("awaiting cohort") in the review queue; when later needs
make a class reach k, the waiting needs of that class are published together with them. So the
first needs of a thin region are published as soon as k similar needs exist, never alone.
See docs/decisions/0003-k-anonymity-for-thin-regions.md.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

from privacy.generalize import WIDER_AGE_BANDS, WIDER_HOUSEHOLD_SIZE_BANDS

# The attributes of a node, in this order.
PLACE, AGE, SEX, SIZE, CATEGORIES, DEPARTMENT = range(6)
ATTRIBUTES = ("place", "age", "sex", "size", "categories", "department")
# What the public sees instead of the exact low-income categories: 低收入家庭.
LOW_INCOME = "low_income"
WITHHELD = ""
# Information loss of each level of each attribute: a wider band loses half of what withholding
# loses; the department matters least to a charity choosing whom to help.
LOSS: tuple[tuple[float, ...], ...] = ((0, 1), (0, 0.5, 1), (0, 1), (0, 0.5, 1), (0, 1), (0, 0.5))

Node = tuple[int, ...]
# (place, age, sex, size, need type, categories, department) as the public sees them.
DisplayKey = tuple[str, ...]

# How far a need may be generalized (``max_level_for``): bands widened, or also withheld.
ORDINARY, WIDE = 1, 2
FINEST: Node = (0, 0, 0, 0, 0, 0)
# The coarsest node of each reach.
TOP: dict[int, Node] = {ORDINARY: (1, 1, 0, 1, 1, 1), WIDE: (1, 2, 1, 2, 1, 1)}


def _below(node: Node, top: Node) -> bool:
    return all(level <= limit for level, limit in zip(node, top, strict=True))


def _loss(node: Node) -> float:
    return sum(LOSS[attribute][level] for attribute, level in enumerate(node))


# Every node a need of each reach may be published at, least loss first (ties: the node that
# keeps the earlier attributes, in the order of ``ATTRIBUTES``, more specific).
NODES: dict[int, tuple[Node, ...]] = {
    reach: tuple(
        sorted(
            (
                node
                for node in itertools.product(*(range(len(levels)) for levels in LOSS))
                if _below(node, top)
            ),
            key=lambda node: (_loss(node), node),
        )
    )
    for reach, top in TOP.items()
}


def node_string(node: Node) -> str:
    """As stored in ``Need.generalization``: one digit per attribute, e.g. ``"010011"``."""
    return "".join(str(level) for level in node)


def node_from_string(value: str) -> Node:
    return tuple(int(digit) for digit in value)


def reach_of(node: Node) -> int:
    """The least reach that allows ``node``."""
    return ORDINARY if _below(node, TOP[ORDINARY]) else WIDE


REACH: dict[Node, int] = {node: reach_of(node) for node in NODES[WIDE]}


def shown_values(
    node: Node,
    *,
    age_band: str,
    sex: str,
    size_band: str,
    categories: list[str] | tuple[str, ...],
    department: str,
) -> dict:
    """What the public sees of these attributes at ``node`` (the place apart)."""
    age_level, size_level = node[AGE], node[SIZE]
    return {
        "age_band": (age_band, WIDER_AGE_BANDS.get(age_band, age_band), WITHHELD)[age_level],
        "sex": sex if node[SEX] == 0 else WITHHELD,
        "household_size_band": (size_band, WIDER_HOUSEHOLD_SIZE_BANDS.get(size_band, size_band), WITHHELD)[
            size_level
        ],
        "categories": sorted(categories) if node[CATEGORIES] == 0 else [LOW_INCOME],
        "department": department if node[DEPARTMENT] == 0 else WITHHELD,
    }


@dataclass(frozen=True)
class Attributes:
    """A need's quasi-identifiers, as specific as the privacy gate lets them be."""

    county: str
    city: str
    age_band: str
    sex: str
    household_size_band: str
    need_type: str
    categories: tuple[str, ...] = ()
    department: str = ""

    def __post_init__(self) -> None:
        # The value of each attribute at each of its levels, computed once: ``key`` is called
        # for many nodes per need.
        shown = [
            shown_values(
                node,
                age_band=self.age_band,
                sex=self.sex,
                size_band=self.household_size_band,
                categories=self.categories,
                department=self.department,
            )
            for node in (FINEST, TOP[ORDINARY], TOP[WIDE])
        ]
        values = (
            (self.county, self.city),
            tuple(row["age_band"] for row in shown),
            (shown[0]["sex"], shown[2]["sex"]),
            tuple(row["household_size_band"] for row in shown),
            tuple("+".join(shown[level]["categories"]) for level in (0, 1)),
            tuple(shown[level]["department"] for level in (0, 1)),
        )
        object.__setattr__(self, "_values", values)

    def key(self, node: Node) -> DisplayKey:
        """The quasi-identifiers the public would see at ``node``: the k-anonymity class."""
        place, age, sex, size, categories, department = self._values
        return (
            place[node[PLACE]],
            age[node[AGE]],
            sex[node[SEX]],
            size[node[SIZE]],
            self.need_type,
            categories[node[CATEGORIES]],
            department[node[DEPARTMENT]],
        )


# Keys as stored in the database (Need.public_class, cohort_key, cohort_wide_key): the parts
# joined by "|", which no region code, band, need type, category or department contains.
def key_string(key: DisplayKey) -> str:
    return "|".join(key)


def key_from_string(value: str) -> DisplayKey:
    return tuple(value.split("|"))


def cohort_keys(attributes: Attributes, *, max_level: int) -> tuple[str, str]:
    """What a waiting need stores so that a later candidate finds it: its class at the coarsest
    ordinary node (which every ordinary node of its class refines) and, if it may go that far,
    at the coarsest node of all."""
    wide = key_string(attributes.key(TOP[WIDE])) if max_level >= WIDE else ""
    return key_string(attributes.key(TOP[ORDINARY])), wide


@dataclass(frozen=True)
class _Waiting:
    handle: object
    attributes: Attributes
    max_level: int


class Placement:
    """Published class sizes and the waiting needs of some classes, updated as needs are placed.

    Waiting needs are opaque handles (need objects) named by a unique key (the need's code);
    each is indexed under its class at the coarsest node of each reach it may go to, which
    every class it may join at a finer node refines.
    """

    def __init__(self, *, k: int):
        self.k = k
        self.published: Counter[DisplayKey] = Counter()
        self._waiting: dict[str, _Waiting] = {}
        self._index: defaultdict[tuple[int, DisplayKey], set[str]] = defaultdict(set)
        # Published and waiting needs per city (the first four digits of the place) and need
        # type: a bound on every class of the group, which spares a need of a thin group the
        # look at every node.
        self._group_published: Counter[tuple[str, str]] = Counter()
        self._group_waiting: Counter[tuple[str, str]] = Counter()

    def add_published(self, key: DisplayKey, count: int = 1) -> None:
        self.published[key] += count
        self._group_published[_group(key[0], key[4])] += count

    def remove_published(self, key: DisplayKey) -> None:
        if self.published[key] > 0:
            self.published[key] -= 1
            self._group_published[_group(key[0], key[4])] -= 1

    def add_waiting(
        self, name: str, handle: object, attributes: Attributes, *, max_level: int = WIDE
    ) -> None:
        self._waiting[name] = _Waiting(handle, attributes, max_level)
        self._group_waiting[_group(attributes.county, attributes.need_type)] += 1
        for reach in range(ORDINARY, max_level + 1):
            self._index[(reach, attributes.key(TOP[reach]))].add(name)

    def discard_waiting(self, name: str) -> None:
        waiting = self._waiting.pop(name, None)
        if waiting is None:
            return
        self._group_waiting[_group(waiting.attributes.county, waiting.attributes.need_type)] -= 1
        for reach in range(ORDINARY, waiting.max_level + 1):
            self._index[(reach, waiting.attributes.key(TOP[reach]))].discard(name)

    def place(
        self, name: str, handle: object, attributes: Attributes, *, max_level: int = WIDE
    ) -> tuple[Node, list[object]] | None:
        """Publish ``handle`` at the node of least loss, up to ``max_level``, that reaches k.

        Returns ``(node, cohort)``, where ``cohort`` lists the waiting needs published with it
        at that node. ``None`` means no node reaches k yet: the candidate is added to the
        waiting needs (findable only at the nodes it may be published at).
        """
        group = _group(attributes.county, attributes.need_type)
        if self._group_published[group] + self._group_waiting[group] + 1 >= self.k:
            placed = self._first_node(name, attributes, max_level)
            if placed is not None:
                node, key, cohort = placed
                for other in cohort:
                    self.discard_waiting(other)
                self.discard_waiting(name)
                self.add_published(key, len(cohort) + 1)
                return node, [waiting.handle for waiting in cohort.values()]
        self.discard_waiting(name)
        self.add_waiting(name, handle, attributes, max_level=max_level)
        return None

    def _first_node(
        self, name: str, attributes: Attributes, max_level: int
    ) -> tuple[Node, DisplayKey, dict[str, _Waiting]] | None:
        """The node of least loss where the class reaches k, its key and the waiting needs
        published with the candidate there."""
        anchors = {reach: attributes.key(TOP[reach]) for reach in range(ORDINARY, max_level + 1)}
        for node in NODES[max_level]:
            key = attributes.key(node)
            published = self.published.get(key, 0)
            reach = REACH[node]
            bucket = self._index.get((reach, anchors[reach]), ())
            if published + len(bucket) + 1 < self.k:
                continue  # not even with every waiting need of the coarser class
            cohort = {
                other: self._waiting[other]
                for other in sorted(bucket)
                if other != name
                and reach <= self._waiting[other].max_level
                and self._waiting[other].attributes.key(node) == key
            }
            if published + len(cohort) + 1 >= self.k:
                return node, key, cohort
        return None


def _group(place: str, need_type: str) -> tuple[str, str]:
    return place[:4], need_type


# Marks (in a waiting need's hold reason) that a caseworker approved it for publication.
CASEWORKER_APPROVED = "caseworker_approved"


def max_level_for(urgency: str, *, approved: bool = False) -> int:
    """How far a need may be generalized.

    Withholding age, sex and household size makes a need much harder for charities to match, so
    ordinary needs only widen them (and generalize place, categories and department); urgent
    and critical ones, and needs a caseworker approved, may have them withheld rather than wait.
    """
    return WIDE if approved or urgency in ("urgent", "critical") else ORDINARY
