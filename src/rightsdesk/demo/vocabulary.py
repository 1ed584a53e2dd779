"""Word lists the demo population is drawn from: names, networks, services, ticket texts."""

from __future__ import annotations

import unicodedata

#: The billing price list (id, name, unit price): catalogue rows, not anybody's personal data.
SERVICES: tuple[tuple[int, str, str], ...] = (
    (1, "Cloud Compute (BCC)", "0.32"),
    (2, "Object Storage (BOS)", "0.12"),
    (3, "Content Delivery (CDN)", "0.21"),
    (4, "Relational Database (RDS)", "1.80"),
    (5, "Load Balancer (BLB)", "0.60"),
    (6, "Domain Name Service", "55.00"),
    (7, "SSL Certificate", "980.00"),
    (8, "Large Model API", "0.008"),
    (9, "Speech Recognition", "0.003"),
    (10, "Map Service", "0.05"),
    (11, "Short Message Service", "0.045"),
    (12, "Cloud Backup", "0.10"),
)


def _words(text: str) -> list[str]:
    return text.split()


FAMILY = _words("李 王 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高 欧阳")
FAMILY_PINYIN = _words(
    "Li Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Ouyang"
)
GIVEN = _words("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 霞 思远 子涵 浩然 欣怡 宇轩")
GIVEN_PINYIN = _words(
    "Wei Fang Na Xiuying Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xia "
    "Siyuan Zihan Haoran Xinyi Yuxuan"
)
LATIN = [
    *("Emma Smith", "Lucas Müller", "Sofía García", "Noah Rossi", "Chloé Dubois"),
    *("Björn Andersen", "Zoë O'Brien", "Mateo Silva", "Anna Kowalski", "Minh Nguyen"),
    *("Olga Ivanova", "Omar Haddad"),
]
DOMAINS = ("example.com", "example.cn", "example.net", "example.org")
MOBILE_PREFIXES = _words("138 139 135 150 158 186 188 177 199 133")
REGIONS = _words("110101 310104 440305 330106 510107 420106 320102 610113")  # ID-card areas
PROVIDERS = ("wechat", "qq", "weibo", "github", "dingtalk")
DEVICES = (
    ("totp", "Authenticator app"),
    ("sms", "Backup phone"),
    ("u2f", "YubiKey 5C NFC"),
    ("hardware_token", "Security token"),
)
PURPOSES = ("marketing_sms", "marketing_email", "personalised_recommendations", "cross_border")
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) MicroMessenger/8.0.49",
    "Mozilla/5.0 (Linux; Android 14; HUAWEI Mate 60) Chrome/124.0 Mobile",
    "bce-cli/0.10.3 python/3.11",
    "Go-http-client/1.1 (terraform-provider)",
)
#: Address patterns filled with two random numbers (mostly Chinese ISP ranges, some IPv6).
NETWORKS = _words("36.112.{}.{} 114.242.{}.{} 223.104.{}.{} 116.228.{}.{} 2408:8207:{:x}::{:x}")
TICKETS = (  # Chinese text uses full-width punctuation on purpose
    ("发票抬头修改", "您好，我需要把发票抬头改成公司名称，谢谢。"),  # noqa: RUF001
    ("无法收到短信验证码", "绑定手机 {phone} 收不到验证码，请协助处理。"),  # noqa: RUF001
    ("Cannot access console", "Hi, I get a 403 on the console since this morning. {name}"),
    ("退款申请", "订单重复支付，申请退款。联系人：{name}"),  # noqa: RUF001
    ("Delete my old API keys", "Please revoke the keys created last year."),
)
COMPANIES = (
    "北京星云网络科技有限公司",
    "上海深蓝数据有限公司",
    "杭州青木软件有限公司",
    "Shenzhen Brightpath Technology Co., Ltd.",
    "成都云杉信息技术有限公司",
)


def ascii_stem(text: str) -> str:
    """Lower-case ASCII letters, digits and dots only: ``Zoë.O'Brien`` -> ``zoe.obrien``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch == ".")


#: (real name, ascii stem for emails and handles) for every Chinese name combination.
CHINESE_NAMES = tuple(
    (family + given, ascii_stem(f"{given_py}.{family_py}"))
    for family, family_py in zip(FAMILY, FAMILY_PINYIN, strict=True)
    for given, given_py in zip(GIVEN, GIVEN_PINYIN, strict=True)
)
LATIN_NAMES = tuple((name, ascii_stem(name.replace(" ", "."))) for name in LATIN)
