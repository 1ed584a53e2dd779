"""The personal-data scanner's pure core: detectors and a column classifier (no database access)."""

from __future__ import annotations

from rightsdesk.discovery.classify import ColumnFinding, KindScore, classify_column
from rightsdesk.discovery.detector import Detector
from rightsdesk.discovery.detectors import DETECTORS, by_name

__all__ = ["DETECTORS", "ColumnFinding", "Detector", "KindScore", "by_name", "classify_column"]
