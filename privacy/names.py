"""Chinese personal names: the common surnames and how a full name splits.

Used by redaction (to derive 张某 forms and to spot names left in free text) and by masking
(``张**``). The lists are the most frequent surnames of the mainland population (about 100
single-character ones) plus the compound surnames (复姓) still met in practice.
"""

from __future__ import annotations

COMMON_SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏"
    "吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃"
    "武钱戴严莫孔向常汤康易乔赖文"
)

COMPOUND_SURNAMES: tuple[str, ...] = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
    "南宫",
)

# Separators inside transliterated names of ethnic minorities (买买提·艾力).
NAME_DOTS = "·•・"


def split_name(name: str) -> tuple[str, str]:
    """Split a Han full name into (surname, given name).

    A name that starts with a compound surname and is longer than it splits after two
    characters; any other name splits after the first. Names written with a middle dot
    (transliterated minority names) have no surname in this sense: the whole first part is
    returned as the "surname" and the rest as the given name. Never raises; an empty name
    gives ``("", "")``.
    """
    name = "".join(name.split())
    if not name:
        return "", ""
    for dot in NAME_DOTS:
        if dot in name:
            first, _, rest = name.partition(dot)
            return first, rest
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]
