"""A sample context per notice kind, with exactly the variables the service layer passes."""

from __future__ import annotations

from typing import Any

from rightsdesk.policy.regimes import Regime
from rightsdesk.policy.remedies import remedies

BASE: dict[str, Any] = {"request_id": "R-2024-0001", "request_type": "delete"}

SAMPLES: dict[str, dict[str, Any]] = {
    "acknowledged": {**BASE, "due": "2024-06-14", "verification": "email"},
    "verification_code": {**BASE, "code": "482913", "minutes": 10},
    "verified": {**BASE},
    "step_up": {**BASE, "code": "771204", "minutes": 10},
    "extended": {**BASE, "due": "2024-08-13", "reason": "The request covers many systems."},
    "fee_quote": {
        **BASE,
        "amount": "25.00",
        "currency": "CNY",
        "reason": "Third request this year.",
    },
    "refused": {
        **BASE,
        "ground": "repeated",
        "title": "Unreasonably repeated request",
        "justification": "You made the same request three times this month.",
        "part": None,
        "alternative": None,
        "partial": False,
        "remedies": remedies([Regime.PROVIDER_CN, Regime.GDPR], "en"),
    },
    "completed": {
        **BASE,
        "receipt_id": "RC-77",
        "retained": [
            {
                "collection": "shop.orders",
                "rows": 3,
                "basis": "Tax law: invoices",
                "until": "2031-01-01",
            },
        ],
    },
    "cancelled": {**BASE},
    "expired": {**BASE},
}
