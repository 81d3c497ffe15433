"""What redaction leaves, made readable: the tidy step between the redacted text and the reader.

``redact`` replaces every identifier with ``REDACTED`` and leaves the words around it:
"〔已隐去〕（身份证〔已隐去〕），……联系电话〔已隐去〕，住〔已隐去〕。" says nothing a reader needs
in its marks and labels. ``tidy`` removes that noise, applied to the published text (never to
what ``redact`` detects, which it does not change):

1. A label whose value was removed goes (``身份证〔已隐去〕``, ``联系电话：〔已隐去〕`` → ``〔已隐去〕``):
   the words of ``LABELS`` anywhere, the one-character ``住`` only at the start of a clause
   (居住 is a word, not a label).
2. Brackets around nothing but a mark go (``（〔已隐去〕）`` → ``〔已隐去〕``).
3. Marks separated only by punctuation, spaces or a conjunction become one mark.
4. A clause that is nothing but a mark goes with its comma: at the start of a sentence
   ("〔已隐去〕，家庭收入低" → "家庭收入低", "。〔已隐去〕。" → "。"), or at its end before the
   full stop ("……，〔已隐去〕。" → "……。").

Why it can reveal nothing: every step only *deletes* characters of the redacted text (marks,
the fixed label words, brackets, punctuation), so no removed character can come back; and no
step joins the text on the two sides of a mark it deletes: steps 1–3 keep a mark between them,
and step 4 deletes a mark only next to a sentence end (。！？； or the start or end of the
text), which no detector reads through (a number's separators are spaces, dashes, commas,
dots and 、; never a full stop). So the digits around a deleted mark cannot join into a number
that was not there. Step 1 joins the text before a label to the mark after it: a label is
removed only after a character that is neither a letter nor a digit, and labels are Han words
that no detector's look-ahead names (号线, 室厅, 区县…), so what ends there reads as before
(``鄂A81820QQ：〔已隐去〕`` hid a licence plate behind the letters QQ: no label is made of letters,
and none is removed after a digit or a letter). tests/privacy/test_readable.py puts every
detector's identifiers before every label to check it.

``mostly_redacted`` decides when a title says too little to be shown (the published title is
then composed from the published fields, by the caller).
"""

from __future__ import annotations

import re
from functools import lru_cache

from privacy.redaction import REDACTED

_MARK = re.escape(REDACTED)
# Words that only name the value that followed them: once it is gone they say nothing.
LABELS = (
    *("公民身份号码", "身份证号码", "身份证号", "身份证", "证件号码", "证件号", "户口本号"),
    *("联系电话", "联系方式", "联系人", "电话号码", "电话", "手机号码", "手机号", "手机", "座机"),
    *("家庭住址", "现住址", "居住地址", "住址", "地址", "家住", "现住", "住在", "居住在"),
    *("姓名", "名字", "微信号", "微信", "邮箱", "银行卡号", "卡号", "车牌号", "车牌"),
    *("出生日期", "出生于", "生日"),
)
# Labels that are also the end of ordinary words (居住, 入住): only at the start of a clause.
CLAUSE_LABELS = ("住",)
# What a label is followed by before its mark: 身份证号：〔已隐去〕, 电话是〔已隐去〕. The pattern
# starts with the labels themselves, so the search skips ahead to them (a look-behind first
# would be tried at every position: five times slower on the public list).
_LABEL = re.compile(
    rf"(?P<label>{'|'.join(map(re.escape, sorted((*LABELS, *CLAUSE_LABELS), key=len, reverse=True)))})"
    rf"(?:是|为)?[ \t]*[：:]?[ \t]*(?={_MARK})"
)
# Where a clause starts (or the text does), for ``CLAUSE_LABELS``.
_CLAUSE_STARTS = frozenset("，。；！？、：,;!?:（( \t\n")
# Never right after a letter or digit (half- or full-width): 鄂A81820车牌号〔已隐去〕 keeps its label,
# which is all that keeps the plate from ending where a detector would read it.
_ALNUM = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
_BRACKETED = re.compile(rf"[（(\[【]\s*({_MARK})\s*[）)\]】]")
_JOINED_MARKS = re.compile(rf"{_MARK}(?:\s*(?:[，、；：,;:/·]|和|及|与|或)?\s*{_MARK})+")
# Where a sentence starts or ends: no detector reads a number through these.
_SENTENCE_END = "。！？；!?;\n"
# A mark followed by a comma, a sentence end or the end of the text; ``_drop_leading_marks``
# keeps those that start a sentence. Starting with the mark, the search skips to each mark.
_LEADING_MARK = re.compile(rf"{_MARK}[ \t]*(?:[，、,：:]|[{_SENTENCE_END}]|\Z)")
_TRAILING_MARK = re.compile(rf"[，、,][ \t]*{_MARK}[ \t]*(?=[{_SENTENCE_END}]|\Z)")
_MAX_PASSES = 6


@lru_cache(maxsize=4096)
def tidy(text: str) -> str:
    """``text`` (redacted) without the labels, brackets and clauses that only held a removed
    value, and with runs of marks as one mark (see the module docstring). Deletes characters
    only; a text that was all marks keeps one. Never raises.

    Cached: the public list shows the same rows to everyone.
    """
    if REDACTED not in text:
        return text
    current = text
    for _pass in range(_MAX_PASSES):
        tidied = _drop_labels(current)
        tidied = _BRACKETED.sub(r"\1", tidied)
        tidied = _JOINED_MARKS.sub(REDACTED, tidied)
        tidied = _drop_leading_marks(tidied)
        tidied = _TRAILING_MARK.sub("", tidied)
        if tidied == current:
            break
        current = tidied
    return current.strip() or REDACTED


def _drop_labels(text: str) -> str:
    def drop(match: re.Match[str]) -> str:
        start = match.start()
        before = text[start - 1] if start else ""
        if _ALNUM.match(before) or (
            match.group("label") in CLAUSE_LABELS and before and before not in _CLAUSE_STARTS
        ):
            return match.group()
        return ""

    return _LABEL.sub(drop, text)


def _drop_leading_marks(text: str) -> str:
    def drop(match: re.Match[str]) -> str:
        before = text[: match.start()].rstrip(" \t")
        return "" if not before or before[-1] in _SENTENCE_END else match.group()

    return _LEADING_MARK.sub(drop, text)


def mostly_redacted(text: str) -> bool:
    """Whether ``text`` (tidied) says too little to be shown as a title: it is empty, starts
    with a mark, or its marks take at least half of its characters (spaces not counted, each
    mark counted as the ``len(REDACTED)`` characters a reader sees). Never raises.

    ``"一二三四五〔已隐去〕"`` (5 of 10) is mostly redacted; ``"一二三四五六〔已隐去〕"`` (5 of 11) is not.
    """
    shown = "".join(text.split())
    if not shown or shown.startswith(REDACTED):
        return True
    return 2 * shown.count(REDACTED) * len(REDACTED) >= len(shown)
