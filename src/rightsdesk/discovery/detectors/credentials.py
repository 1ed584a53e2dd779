"""The secret detector: password hashes, digests and tokens; flagged, their values never kept."""

from __future__ import annotations

from rightsdesk.discovery.detectors.detector import Detector, rx

SECRET = Detector(
    name="secret",
    category="user.authorization.credentials",
    patterns=rx(
        r"\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}",
        r"\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/=]+(?:\$[A-Za-z0-9+/=]+)?",
        r"\$?pbkdf2[-_:]?(?:sha\d+)?\$\d+\$[^\s$]+\$[^\s$]+",
        r"\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}",
    ),
    hinted_patterns=rx(
        r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}",
        r"[A-Za-z0-9_\-.+/=]{16,}",
    ),
    column_hints=(
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "api_key",
        "session_key",
        "session_token",
        "apikey",
        "credential",
        "密码",
        "口令",
    ),
    context_words=("password", "token", "secret", "密码"),
    secret=True,
    weight=0.95,
    noun="password hashes or secrets (values not kept)",
)
