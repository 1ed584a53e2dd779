"""Detectors for account handles and external ids: only a column's name can tell them apart."""

from __future__ import annotations

from rightsdesk.discovery.detectors.detector import Detector, rx

USERNAME = Detector(
    name="username",
    category="user.account.username",
    patterns=(),  # any short word could be a username: values alone prove nothing
    hinted_patterns=rx(r"[\w.@+-]{2,64}"),
    column_hints=(
        "username",
        "user_name",
        "login",
        "login_name",
        "nickname",
        "nick_name",
        "handle",
        "screen_name",
        "用户名",
        "昵称",
        "账号",
    ),
    context_words=("username", "login", "用户名"),
    weight=0.5,
    noun="usernames or login handles",
)

EXTERNAL_UID = Detector(
    name="external_uid",
    category="user.unique_id",
    patterns=(),  # an opaque id looks like any other key without the column's name
    hinted_patterns=rx(r"[A-Za-z0-9_.:|-]{6,128}"),
    column_hints=(
        "uid",
        "external_uid",
        "external_id",
        "openid",
        "open_id",
        "unionid",
        "union_id",
        "provider_uid",
        "social_id",
    ),
    context_words=("openid", "unionid", "uid"),
    weight=0.5,
    noun="ids of the person at another service (OpenID, UnionID, provider uid)",
)
