"""Fides erasure policies: which data categories a policy's rules mask, and how.

In Fides a field's ``masking_strategy_override`` is used only when the erasure policy being run
has a rule targeting one of the field's categories; the rule's own strategy applies otherwise.
A converted map has one erasure, so it is converted for one policy: the fields that policy
erases get an ``erase:``, and the others none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rightsdesk.datamap.loader import parse_yaml
from rightsdesk.domain.errors import DataMapError, Issue, Location


@dataclass(frozen=True)
class ErasureRule:
    targets: tuple[str, ...]  # Fides data categories; a target matches its sub-categories too
    strategy: Any  # the rule's ``masking_strategy`` as written (``{strategy, configuration}``)

    def targets_any(self, categories: list[str]) -> bool:
        return any(c == t or c.startswith(f"{t}.") for c in categories for t in self.targets)


@dataclass(frozen=True)
class FidesPolicy:
    key: str
    rules: tuple[ErasureRule, ...]

    def rule_for(self, categories: list[str]) -> ErasureRule | None:
        """The first erasure rule targeting any of ``categories`` (Fides category names)."""
        return next((r for r in self.rules if r.targets_any(categories)), None)

    def strategy_for(self, categories: list[str], override: Any) -> tuple[Any, str | None]:
        """The strategy for a field under this policy, and a warning when its override is unused."""
        rule = self.rule_for(categories)
        if rule is not None:
            return (override if override is not None else rule.strategy), None
        if override is None:
            return None, None
        return None, (
            f"masking override not used: no erasure rule of policy {self.key!r} "
            "targets its categories"
        )


def load_policy(text: str, *, source: str, key: str | None = None) -> FidesPolicy:
    """One policy from Fides policy YAML or JSON: a policy (``key`` and ``rules``), or a list
    of them (top level or under ``policy:``) from which ``key`` picks one."""
    raw, lines = parse_yaml(text, source)
    found = raw.get("policy", raw) if isinstance(raw, dict) and "rules" not in raw else raw
    policies = found if isinstance(found, list) else [found]
    keyed = [p for p in policies if isinstance(p, dict) and isinstance(p.get("rules"), list)]

    def fail(message: str) -> DataMapError:
        return DataMapError([Issue(Location(source, lines.get(()), "policy"), message)])

    if not keyed:
        raise fail("not a Fides policy: expected a policy with a 'rules' list")
    names = [str(p.get("key") or p.get("fides_key") or "") for p in keyed]
    if key is None and len(keyed) > 1:
        raise fail(f"several policies ({', '.join(names)}); choose one with --policy-key")
    chosen = (
        keyed[0]
        if key is None
        else next((p for p, n in zip(keyed, names, strict=True) if n == key), None)
    )
    if chosen is None:
        raise fail(f"no policy with key {key!r}; found: {', '.join(names)}")
    rules = []
    for rule in chosen["rules"]:
        if not isinstance(rule, dict) or rule.get("action_type") != "erasure":
            continue
        targets = tuple(
            str(t["data_category"])
            for t in rule.get("targets") or ()
            if isinstance(t, dict) and t.get("data_category")
        )
        rules.append(ErasureRule(targets, rule.get("masking_strategy")))
    return FidesPolicy(names[keyed.index(chosen)], tuple(rules))
