"""The built-in detectors, registered in one list; adding a detector is one entry here."""

from __future__ import annotations

from rightsdesk.discovery.accounts import EXTERNAL_UID, USERNAME
from rightsdesk.discovery.blobs import ENCODED_BLOB
from rightsdesk.discovery.contact import EMAIL, IPV4, IPV6, PHONE
from rightsdesk.discovery.credentials import SECRET
from rightsdesk.discovery.detector import Detector
from rightsdesk.discovery.identifiers import BANK_CARD, CN_RESIDENT_ID, PASSPORT, USCC
from rightsdesk.discovery.person import DATE_OF_BIRTH, NAME_PART, PERSON_NAME, POSTAL_ADDRESS

__all__ = ["DETECTORS", "Detector", "by_name"]

DETECTORS: list[Detector] = [
    EMAIL,
    PHONE,
    CN_RESIDENT_ID,
    BANK_CARD,
    USCC,
    IPV4,
    IPV6,
    PERSON_NAME,
    NAME_PART,
    POSTAL_ADDRESS,
    DATE_OF_BIRTH,
    PASSPORT,
    SECRET,
    USERNAME,
    EXTERNAL_UID,
    ENCODED_BLOB,
]


def by_name(name: str) -> Detector:
    """The registered detector called ``name``; raises KeyError for an unknown one."""
    for detector in DETECTORS:
        if detector.name == name:
            return detector
    raise KeyError(name)
