"""Personal-data discovery: drafting and checking data maps against live stores.

``detectors/``: what a column holds, from its values (pure; re-exported here). ``drafting/``: a
data map drafted from a live store. Here: ``sample`` (every read of a store, through its
connector's ``Discoverable`` methods), ``drift`` (a map against its live stores) and the residue
scan after an erasure (``residue``, its matcher in ``patterns``).
"""

from __future__ import annotations

from rightsdesk.discovery.detectors.classify import ColumnFinding, KindScore, classify_column
from rightsdesk.discovery.detectors.detector import Detector
from rightsdesk.discovery.detectors.registry import DETECTORS, by_name

__all__ = ["DETECTORS", "ColumnFinding", "Detector", "KindScore", "by_name", "classify_column"]
