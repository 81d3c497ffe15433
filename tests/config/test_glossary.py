"""The glossary (docs/glossary.md) holds: one Chinese word for each thing, everywhere.

Reads the glossary's table, then the compiled zh_Hans catalogue (what every page, menu,
notification and error message is translated from) and every template: each msgid translates to
its word, no "never" synonym appears, and the rules that single words cannot say (认证 is an
organization's verification, 核实 a delivery's; no doubled word such as "以 以") hold.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from marketplace.delivery.models import DeliveryStatus
from marketplace.needs.choices import NeedType, Urgency
from marketplace.needs.spreadsheet import COLUMNS, NEED_TYPE_NAMES_ZH, URGENCY_NAMES_ZH
from marketplace.organizations.models import OrganizationKind, OrganizationStatus

ROOT = Path(settings.BASE_DIR)
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


# 认证 is an organization's verification, 核实 a delivery's: never the other way round.
WRONG_PAIRS = {
    "认证 beside a delivery": re.compile(r"认证[^。；，、]{0,4}交付|交付[^。；，、]{0,6}认证"),
    "核实 beside an organization": re.compile(r"核实[^。；，、]{0,4}(慈善)?组织|组织[^。；，、]{0,6}核实"),
}
# A particle repeated across a template and the value filling it ("以 以志愿者个人身份").
DOUBLED = re.compile(r"([以的在对为由将])\s*\1")


def _rows() -> list[dict]:
    """The glossary's table: msgid, context, 中文, never, where."""
    rows = []
    for line in GLOSSARY.read_text().splitlines():
        if not line.startswith("| `"):
            continue
        msgid, context, zh, never, _where = (cell.strip() for cell in line.strip().strip("|").split("|"))
        rows.append({"msgid": msgid.strip("`"), "context": context.strip("`"), "zh": zh, "never": never})
    assert len(rows) >= 20, "the glossary's table could not be read"
    return rows


def _never() -> set[str]:
    return {word.strip() for row in _rows() for word in row["never"].split("、") if word.strip()}


def _translations() -> dict[str, str]:
    """Every msgstr of the compiled catalogue, by msgid (``context\\x04msgid`` with a context)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    texts: dict[str, str] = {}
    # ``_catalog`` is the only way gettext offers to list every entry.
    for key, text in catalogue._catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid:
            texts[msgid if not isinstance(key, tuple) else f"{msgid}[{key[1]}]"] = text
    return texts


def _templates() -> dict[str, str]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("marketplace/*/templates")]
    return {
        str(path.relative_to(ROOT)): path.read_text() for folder in folders for path in folder.rglob("*.html")
    }


@pytest.mark.parametrize("row", _rows(), ids=lambda row: f"{row['context']}|{row['msgid']}")
def test_each_glossary_msgid_reads_its_one_chinese_word(row):
    with translation.override("zh-hans"):
        if row["context"]:
            text = translation.pgettext(row["context"], row["msgid"])
        else:
            text = translation.gettext(row["msgid"])
    assert text == row["zh"]


def test_no_synonym_the_glossary_rules_out_is_in_the_catalogue_or_a_template():
    never = _never()
    assert {"社会组织", "特急", "受灾救助", "急难临时救助"} <= never
    found = [
        (where, word)
        for where, text in [*_translations().items(), *_templates().items()]
        for word in never
        if word in text
    ]
    assert found == []


def test_verification_words_are_not_crossed_and_no_word_is_doubled():
    found = [
        (rule, msgid, text)
        for msgid, text in _translations().items()
        for rule, pattern in {**WRONG_PAIRS, "doubled word": DOUBLED}.items()
        if pattern.search(text)
    ]
    assert found == []


def test_an_organization_is_认证_and_a_delivery_is_核实():
    with translation.override("zh-hans"):
        assert str(OrganizationStatus.VERIFIED.label) == "已认证"
        assert str(OrganizationStatus.PENDING.label) == "待认证"
        assert str(DeliveryStatus.VERIFIED.label) == "已核实"
        assert str(OrganizationKind.CHARITY.label) == "慈善组织"
        assert "社会组织" not in str(OrganizationKind.SOCIAL_ORGANIZATION.label)


def test_need_types_and_urgency_read_as_the_seed_and_the_spreadsheet_shows_the_same_words():
    with translation.override("zh-hans"):
        assert str(NeedType.DISASTER.label) == "受灾人员救助"
        assert str(NeedType.EMERGENCY.label) == "急难社会救助"
        assert str(Urgency.CRITICAL.label) == "危急"
        # The spreadsheet's code sheet shows the first name of each code: the site's label.
        for code in (NeedType.DISASTER, NeedType.EMERGENCY):
            assert NEED_TYPE_NAMES_ZH[code][0] == str(code.label)
        for code in Urgency:
            assert URGENCY_NAMES_ZH[code][0] == str(code.label)
    notes = " ".join(f"{column.header} {column.note}" for column in COLUMNS)
    assert not any(word in notes for word in _never())
