"""Data categories: a dotted taxonomy in the spirit of fideslang. A declared category must be one
of these, or a refinement of a leaf (``user.contact.email.work``); ``custom.*`` is always
allowed."""

from __future__ import annotations

import difflib

CATEGORIES: dict[str, str] = {
    "user": "Data about a person",
    "user.account": "Account records: ids, usernames, status, settings",
    "user.account.username": "A chosen handle or login name",
    "user.account.binding": "Links to third-party accounts (OAuth bindings)",
    "user.authorization": "Data that lets the person in",
    "user.authorization.credentials": "Password hashes, secrets, tokens (exported as presence)",
    "user.authorization.security_device": "MFA devices, security keys",
    "user.authorization.security_question": "Security questions and their answers",
    "user.behavior": "What the person did",
    "user.behavior.login": "Log-in events",
    "user.behavior.browsing": "Pages, clicks",
    "user.biometric": "Biometric data",
    "user.consent": "Consents given or withdrawn",
    "user.contact": "Ways to reach the person",
    "user.contact.email": "Email address",
    "user.contact.phone_number": "Phone number",
    "user.contact.address": "Postal address",
    "user.content": "What the person wrote or uploaded",
    "user.content.support_ticket": "Support tickets and messages",
    "user.demographic": "Demographics",
    "user.demographic.date_of_birth": "Date of birth",
    "user.demographic.gender": "Gender",
    "user.device": "Device data",
    "user.device.device_id": "Device identifiers",
    "user.device.ip_address": "IP addresses",
    "user.financial": "Money",
    "user.financial.bank_account": "Bank account or card numbers",
    "user.financial.transaction": "Payments, amounts, orders, bills",
    "user.financial.invoice": "Invoices",
    "user.government_id": "Government identifiers",
    "user.government_id.national_id": "Resident identity card number",
    "user.government_id.passport": "Passport number",
    "user.government_id.verification": "Real-name / identity verification status and records",
    "user.location": "Location data",
    "user.name": "The person's name",
    "user.service": "Services the person uses",
    "user.service.subscription": "Enabled services and subscriptions",
    "user.unique_id": "An identifier unique to the person",
    "system": "Data about systems, not people",
    "system.operations": "Operational metadata: timestamps, statuses",
}


def check_category(category: str) -> str | None:
    """Return None when ``category`` is valid, else a message with the closest known names."""
    if category.startswith("custom."):
        return None
    if category in CATEGORIES:
        return None
    parts = category.split(".")
    parents = (".".join(parts[:n]) for n in range(len(parts) - 1, 0, -1))
    parent = next((p for p in parents if p in CATEGORIES), None)
    if parent is not None and not any(c.startswith(parent + ".") for c in CATEGORIES):
        return None
    close = difflib.get_close_matches(category, CATEGORIES, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown data category {category!r}{hint} (see docs/datamap.md, or use custom.*)"
