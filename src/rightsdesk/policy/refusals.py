"""Validate a refusal against the active catalogue so every refusal names a ground and a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rightsdesk.domain.errors import PolicyError
from rightsdesk.policy.grounds import Ground, GroundKind, Profile, catalogue

#: A justification must read like a sentence: this many words (two CJK characters = one word).
MIN_WORDS = 3
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[^\W\d_]+|\d+")
_COSTLY = frozenset({"disproportionate", "impractical"})


@dataclass(frozen=True)
class Refusal:
    """A validated refusal; ``part`` names what is refused when the refusal is partial."""

    ground: Ground
    profile: Profile
    justification: str
    part: str | None
    alternative: str | None
    evidence: str | None
    reasons: tuple[str, ...]

    @property
    def partial(self) -> bool:
        return self.part is not None


def refuse(
    profile: Profile,
    code: str,
    justification: str,
    *,
    part: str | None = None,
    alternative: str | None = None,
    evidence: str | None = None,
) -> Refusal:
    """Build a refusal on ground ``code``, or raise PolicyError naming the valid codes."""
    grounds = {g.code: g for g in catalogue(profile)}
    ground = grounds.get(code)
    if ground is None:
        raise PolicyError(
            f"unknown refusal ground {code!r} in profile {profile.value}; "
            f"valid codes: {', '.join(grounds)}"
        )
    text = justification.strip()
    if _words(text) < MIN_WORDS:
        raise PolicyError(
            f"a refusal on {code!r} needs a justification of at least {MIN_WORDS} words"
        )
    if part is not None and not part.strip():
        raise PolicyError("a partial refusal must name the part that is refused")
    if ground.needs_evidence and not (evidence and evidence.strip()):
        raise PolicyError(
            f"a refusal on {code!r} needs recorded evidence that the person cannot be "
            "identified (GDPR Art. 11(2))"
        )
    reasons = [f"{ground.kind.value} ground {code}: {ground.title_en}", f"justification: {text}"]
    if part is not None:
        reasons.append(f"partial refusal: {part.strip()}")
    if alternative:
        reasons.append(f"alternative offered: {alternative.strip()}")
    elif code in _COSTLY:
        reasons.append("no alternative method offered, although the policy promises one")
    if ground.kind is GroundKind.EXEMPTION:
        reasons.append(f"exemption from the {profile.value} profile")
    return Refusal(
        ground, profile, text, part and part.strip(), alternative, evidence, tuple(reasons)
    )


def _words(text: str) -> float:
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(_CJK.sub(" ", text))) + cjk / 2
