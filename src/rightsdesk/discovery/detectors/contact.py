"""Detectors for ways to reach or locate a person online: email, phone numbers, IP addresses."""

from __future__ import annotations

from rightsdesk.discovery.detectors import checksums
from rightsdesk.discovery.detectors.detector import Detector, rx

EMAIL = Detector(
    name="email",
    category="user.contact.email",
    patterns=rx(
        r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
        r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}"
        r"(?![\w-])"
    ),
    column_hints=("email", "mail", "e_mail", "邮箱", "邮件"),
    context_words=("email", "e-mail", "mail", "邮箱"),
    validate=lambda value: ".." not in value,
    weight=0.95,
    noun="email addresses",
)

PHONE = Detector(
    name="phone",
    category="user.contact.phone_number",
    patterns=rx(
        r"(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)",
        r"(?<![\d+])\+[1-9]\d{7,14}(?!\d)",
    ),
    column_hints=("phone", "mobile", "tel", "telephone", "cell", "msisdn", "手机", "电话"),
    context_words=("phone", "mobile", "tel", "call", "手机", "电话", "联系"),
    weight=0.85,
    noun="phone numbers (mainland China mobile or E.164)",
)

IPV4 = Detector(
    name="ipv4",
    category="user.device.ip_address",
    patterns=rx(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"),
    column_hints=("ip", "ipv4", "ip_address", "ip_addr", "remote_addr", "client_ip"),
    context_words=("ip", "address", "from"),
    validate=checksums.ipv4,
    weight=0.85,
    noun="IPv4 addresses",
)

IPV6 = Detector(
    name="ipv6",
    category="user.device.ip_address",
    patterns=rx(
        r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
        r"(?![0-9A-Za-z:])"
    ),
    column_hints=("ip", "ipv6", "ip_address", "ip_addr", "remote_addr", "client_ip"),
    context_words=("ip", "address", "from"),
    validate=checksums.ipv6,
    weight=0.9,
    noun="IPv6 addresses",
)
