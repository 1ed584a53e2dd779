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
        "done": [{"collection": "shop.customers", "rows": 1}],
        "refused": [
            {
                "part": "billing.bills",
                "title": "Relevant to the fulfilment of legal obligations",
                "justification": "The bills are kept for an open tax audit.",
                "alternative": "Ask the tax bureau for the audit's records.",
                "held": True,
            }
        ],
        "remedies": remedies([Regime.PROVIDER_CN], "en"),
    },
    "restriction_lifted": {
        **BASE,
        "request_type": "object",
        "kind": "objection",
        "purpose": "analytics",
        "reason": "Fraud prevention on this account outweighs the objection.",
        "since": "2024-06-01T08:00:00+00:00",
        "remedies": remedies([Regime.PROVIDER_CN, Regime.GDPR], "en"),
    },
    "cancelled": {**BASE},
    "expired": {**BASE},
    "cancellation_confirm": {
        "request_id": "R-2024-0001",
        "download_url": "https://privacy.example.com/v1/requests/R-2024-0001/export?x=1",
        "expires_at": "2024-06-17 10:00",
        "checks": [
            {"name": "open_orders", "message": "You have 2 open orders.", "waivable": True},
            {"name": "unpaid_bills", "message": "You have unpaid bills.", "waivable": False},
        ],
        "cooling_off_days": 7,
    },
    "cancellation_redirected": {
        "request_id": "R-2024-0001",
        "provider_title": "WeChat",
        "instructions": "Open WeChat, Me > Settings > Account Security > Cancel Account.",
        "provider_url": None,
    },
    "publication_stopped": {"request_id": "R-2024-0001", "recipients": ["analytics_partner"]},
    # to an authorised agent (service/casefiles/agents.py), without the person's follow link
    "agent_received": {
        **BASE,
        "due": "2024-06-14",
        "on_behalf": True,
        "agent": "Privacy Helpers LLC",
        "authority": "signed_permission",
        "agent_step": "verify",
    },
    "documents_needed": {**BASE, "documents": ["written_request", "permission"]},
    # to a recipient (service/deliveries/outbound.py), not to the person: no request_type
    "recipient_notice": {
        "request_id": "R-2024-0001",
        "delivery_id": "9f1c2e",
        "recipient": "crm_vendor",
        "event": "consent.withdrawn",
        "details": {"purpose": "marketing", "collections": ["crm.contacts"], "email": "a@b.c"},
    },
}
