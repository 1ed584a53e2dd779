"""The detectors: the ``rightsdesk.detectors`` registry, built-ins declared in pyproject.toml.

Adding a detector is one module (its data and validation hook), one entry point and, for a
built-in, its place in ``PRECEDENCE``.
"""

from __future__ import annotations

from rightsdesk.discovery.detectors.detector import Detector
from rightsdesk.plugins import PluginError, Registry, instance_of

__all__ = ["DETECTORS", "REGISTRY", "Detector", "by_name"]

ENTRY_POINT_GROUP = "rightsdesk.detectors"

REGISTRY: Registry[Detector] = Registry(ENTRY_POINT_GROUP, "detector", instance_of(Detector))

#: A column's kinds are ranked by confidence; on a tie the detector listed first here wins
#: (``first_name`` hints a person's name and a part of one alike: the name comes first).
#: Detectors of other packages follow the built-ins, in name order.
PRECEDENCE = (
    "email",
    "phone",
    "cn_resident_id",
    "bank_card",
    "uscc",
    "ipv4",
    "ipv6",
    "person_name",
    "name_part",
    "postal_address",
    "date_of_birth",
    "passport",
    "secret",
    "username",
    "external_uid",
    "encoded_blob",
)


def _ordered() -> list[Detector]:
    found = REGISTRY.load_all()
    last = len(PRECEDENCE)
    rank = {name: PRECEDENCE.index(name) if name in PRECEDENCE else last for name in found}
    return [found[name] for name in sorted(found, key=lambda n: (rank[n], n))]


#: Every registered detector, in precedence order.
DETECTORS: list[Detector] = _ordered()


def by_name(name: str) -> Detector:
    """The registered detector called ``name``; raises KeyError for an unknown one."""
    try:
        return REGISTRY.get(name)
    except PluginError:
        raise KeyError(name) from None
