"""Detectors for numbers issued to a person or company: resident ID, passport, bank card, USCC."""

from __future__ import annotations

from rightsdesk.discovery.detectors import checksums
from rightsdesk.discovery.detectors.detector import Detector, rx

CN_RESIDENT_ID = Detector(
    name="cn_resident_id",
    category="user.government_id.national_id",
    patterns=rx(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![0-9A-Za-z])"),
    column_hints=(
        "id_card",
        "idcard",
        "id_no",
        "id_number",
        "national_id",
        "resident_id",
        "citizen_id",
        "sfz",
        "sfzh",
        "身份证",
        "证件",
    ),
    context_words=("身份证", "id card", "identity", "证件"),
    validate=checksums.resident_id,
    weight=0.98,
    noun="valid 18-digit resident ID numbers (check digit OK)",
)

BANK_CARD = Detector(
    name="bank_card",
    category="user.financial.bank_account",
    patterns=rx(r"(?<![\d-])[2-6]\d{3}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\d-])"),
    column_hints=(
        "card",
        "card_no",
        "card_number",
        "bank_card",
        "pan",
        "account_no",
        "银行卡",
        "卡号",
    ),
    context_words=("card", "bank", "银行卡", "卡号", "unionpay", "银联"),
    validate=checksums.bank_card,
    weight=0.8,
    noun="card numbers passing the Luhn check",
)

USCC = Detector(
    name="uscc",
    category="user.government_id",
    patterns=rx(
        r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])"
    ),
    column_hints=("uscc", "credit_code", "tax_id", "taxpayer_id", "信用代码", "税号"),
    context_words=("信用代码", "税号", "credit code", "tax id"),
    validate=checksums.uscc,
    weight=0.9,
    noun="Unified Social Credit Codes (GB 32100-2015 check character OK)",
)

PASSPORT = Detector(
    name="passport",
    category="user.government_id.passport",
    patterns=rx(r"(?<![0-9A-Za-z])[EG]\d{8}(?![0-9A-Za-z])"),
    hinted_patterns=rx(r"(?=[A-Z0-9]*\d)[A-Z0-9]{6,9}"),
    column_hints=("passport", "passport_no", "passport_number", "护照"),
    context_words=("passport", "护照"),
    weight=0.6,
    noun="passport numbers (CN E/G + 8 digits, or any 6-9 letters and digits under a hint)",
)
