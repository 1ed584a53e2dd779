"""Detectors for who a person is and where they live: names, postal addresses, dates of birth."""

from __future__ import annotations

import re

from rightsdesk.discovery.detectors import checksums
from rightsdesk.discovery.detectors.detector import Detector, rx

_SURNAME_LIST = (
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
    "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 "
    "石 廖 贾 夏 韦 付 傅 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 "
    "邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 "
    "章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单 "
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 夏侯 尉迟 司徒 公孙"
)
#: The most common Chinese surnames (about the top 150), single and compound.
SURNAMES = frozenset(_SURNAME_LIST.split())

_LATIN_STREET = (
    r"(?<![\w])(?:No\.?\s*)?\d{1,6}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z.'-]*\s+){0,4}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl)"
    r"\.?(?:,\s*[A-Za-z0-9][A-Za-z0-9 .'#-]{0,40}){0,5}(?![\w])"
)
_STREET = re.compile(_LATIN_STREET)
#: A street written in two scripts: "17 人民路", "Rue des Lilas 101号".
_MIXED_STREET = (
    r"(?<![\w])\d{1,6}\s+[\u4e00-\u9fff]{1,10}(?:路|街|大道|道|巷|弄)(?![\w])"
    r"|(?<![\w])[A-Z][A-Za-z'-]*(?:\s+[A-Za-z'-]+){0,4}\s+\d{1,6}\s*号"
)
_MIXED = re.compile(_MIXED_STREET)
_NAME_WORD = r"(?:[A-Z]'[A-Z][a-z]+|[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z]?[a-z]+)?)"
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_ROAD = re.compile(r"路|街|大道|道|巷|弄|胡同|村")
_NUMBER = re.compile(r"\d+\s*(?:号|栋|幢|楼|室|单元)")
_REGION = re.compile(r"省|自治区|市|州")
_DISTRICT = re.compile(r"区|县|旗|镇|乡")


def person_name(value: str) -> bool:
    """A Latin "First Last" name, or 2-4 Han characters starting with a common surname."""
    if not _HAN_NAME.fullmatch(value):
        return True
    surname_length = 2 if value[:2] in SURNAMES else 1
    return value[:surname_length] in SURNAMES and len(value) > surname_length


def chinese_address(value: str) -> bool:
    """Two address markers (region, district, road, number), one of them a road or number."""
    markers = [p.search(value) is not None for p in (_REGION, _DISTRICT, _ROAD, _NUMBER)]
    return sum(markers) >= 2 and (markers[2] or markers[3])


def postal_address(value: str) -> bool:
    """A Chinese address with enough markers, or a Latin street address."""
    if re.search(r"[\u4e00-\u9fff]", value) is None:
        return _STREET.fullmatch(value) is not None
    return chinese_address(value) or _MIXED.fullmatch(value) is not None


PERSON_NAME = Detector(
    name="person_name",
    category="user.name",
    patterns=rx(
        r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff])",
        rf"(?<![\w'-]){_NAME_WORD}(?: {_NAME_WORD}){{1,2}}(?![\w'-])",
    ),
    column_hints=(
        "name",
        "full_name",
        "fullname",
        "first_name",
        "last_name",
        "real_name",
        "realname",
        "surname",
        "given_name",
        "family_name",
        "contact",
        "姓名",
        "名字",
        "联系人",
    ),
    context_words=("name", "姓名", "我叫", "dear"),
    validate=person_name,
    weight=0.4,
    noun="person names (common Chinese surname, or Latin First Last)",
)

NAME_PART = Detector(
    name="name_part",
    category="user.name",
    patterns=(),  # one capitalised word is a name only where the column says so
    hinted_patterns=rx(_NAME_WORD, r"[\u4e00-\u9fff]{1,3}"),
    column_hints=(
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "given_name",
        "family_name",
        "middle_name",
        "surname",
        "姓",
        "名",
    ),
    weight=0.4,
    noun="given or family names",
)

POSTAL_ADDRESS = Detector(
    name="postal_address",
    category="user.contact.address",
    patterns=rx(
        r"[\u4e00-\u9fff0-9A-Za-z\-#\uff08\uff09()]{5,60}",
        _LATIN_STREET,
        _MIXED_STREET,
    ),
    column_hints=(
        "address",
        "addr",
        "street",
        "street_address",
        "address_line",
        "shipping_address",
        "地址",
        "住址",
        "收货地址",
    ),
    context_words=("address", "ship to", "地址", "寄到", "住在"),
    validate=postal_address,
    weight=0.8,
    noun="postal addresses",
)

DATE_OF_BIRTH = Detector(
    name="date_of_birth",
    category="user.demographic.date_of_birth",
    patterns=(),
    hinted_patterns=rx(
        r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?",
        r"\d{8}",
        r"\d{1,2}/\d{1,2}/\d{4}",
        r"\d{4}年\d{1,2}月\d{1,2}日",
    ),
    column_hints=(
        "birth",
        "dob",
        "birthday",
        "birthdate",
        "born",
        "date_of_birth",
        "出生",
        "生日",
    ),
    context_words=("born", "birthday", "生日", "出生"),
    validate=checksums.birth_date,
    weight=0.0,
    noun="dates from 1900 to today",
)
