"""The GB/T 2260 region tree of Hubei (行政区划).

A region's code prefix scopes everything: ``4201`` is Wuhan, ``420111`` Hongshan district.
The four county-level units administered directly by the province (仙桃, 潜江, 天门, 神农架)
are stored as counties whose parent is the province, flagged ``directly_administered``; they
count at both the city and the county level.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def code_prefix(code: str) -> str:
    """The prefix every region inside ``code`` starts with: ``420100`` → ``4201``.

    Trailing ``00`` pairs are dropped, but never the first two digits (the province).
    """
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def is_within(code: str, scope_code: str) -> bool:
    """True when region ``code`` lies inside (or is) the region ``scope_code``."""
    return code.startswith(code_prefix(scope_code))


def covering_codes(code: str) -> list[str]:
    """The province, city and county codes whose scope contains region ``code``, widest first:
    ``420111`` → ``420000``, ``420100``, ``420111``; a city or the province gives fewer."""
    candidates = dict.fromkeys([code[:2] + "0000", code[:4] + "00", code])
    return [candidate for candidate in candidates if is_within(code, candidate)]


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class RegionQuerySet(models.QuerySet):
    def within(self, scope_code: str) -> RegionQuerySet:
        """Regions inside ``scope_code``, itself included."""
        return self.filter(code__startswith=code_prefix(scope_code))

    def city_level(self) -> RegionQuerySet:
        """The 17 city-level units: 12 cities, Enshi prefecture and the 4 direct units."""
        return self.filter(Q(level=RegionLevel.CITY) | Q(directly_administered=True))

    def county_level(self) -> RegionQuerySet:
        """The 103 county-level units, the 4 direct units among them."""
        return self.filter(level=RegionLevel.COUNTY)


class Region(models.Model):
    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=40)
    pinyin = models.CharField(_("pinyin"), max_length=80)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    directly_administered = models.BooleanField(
        _("administered directly by the province"),
        default=False,
        help_text=_("省直管县级单位: counts at both the city and the county level."),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__startswith="42"), name="region_code_hubei"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        return code_prefix(self.code)

    @property
    def is_city_level(self) -> bool:
        return self.level == RegionLevel.CITY or self.directly_administered

    def ancestors(self) -> list[Region]:
        """From the province down to the parent (nearest last)."""
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def descendants(self) -> RegionQuerySet:
        return Region.objects.within(self.code).exclude(code=self.code)

    def city(self) -> Region | None:
        """The city-level unit this region belongs to (itself for a city or direct unit)."""
        if self.is_city_level:
            return self
        for ancestor in reversed(self.ancestors()):
            if ancestor.is_city_level:
                return ancestor
        return None
