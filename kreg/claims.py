"""The lecture's claims about L1 and L2, checked against a comparison's numbers.

A claim about a difference between two variants *holds* when the mean of the
per-seed differences lies in the claimed direction by more than two standard
errors (``std / sqrt(seeds)``, ``ddof=1``); with one seed the verdict follows the
sign. A claim the run has no numbers for is left out (the guide "Claims" has the
details).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Claim", "check_claims"]


class Claim(NamedTuple):
    """One claim, its numbers and its verdict.

    Attributes:
        claim: The claim, as the lecture states it.
        measure: What was compared, with the numbers (means ± std over seeds).
        holds: Whether the numbers show it in this run.
        verdict: ``"holds"`` or ``"does not hold in this run"``, with the rule's
            numbers (mean difference and its standard error, or "one seed").
    """

    claim: str
    measure: str
    holds: bool
    verdict: str


def _spread(values: np.ndarray) -> str:
    """The mean, and ``± std`` over the seeds when there are several."""
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        return f"{values.mean():.3g}"
    return f"{values.mean():.3g} ± {values.std():.2g}"


def _differ(diffs: Any, direction: float) -> tuple[bool, str]:
    """The rule: the mean difference beyond 2 standard errors in ``direction``."""
    d = np.asarray(diffs, dtype=np.float64)
    mean = float(d.mean())
    if d.size < 2:
        holds = mean * direction > 0
        return holds, f"difference {mean:+.3g} (one seed: no spread)"
    error = float(d.std(ddof=1)) / math.sqrt(d.size)
    holds = mean * direction > 2 * error
    return holds, f"mean difference {mean:+.3g}, 2 standard errors {2 * error:.2g}"


def _claim(claim: str, measure: str, holds: bool, rule: str) -> Claim:
    verdict = "holds" if holds else "does not hold in this run"
    return Claim(claim, measure, holds, f"{verdict} ({rule})")


def _zeros_claim(claim: str, variant: str, zeros: Any, expect_zero: bool) -> Claim:
    """The claim that every seed's fraction of exact zeros is 0 (or above 0)."""
    zeros = np.asarray(zeros)
    ok = zeros == 0 if expect_zero else zeros > 0
    measure = f"exact zeros of {variant}: {_spread(zeros * 100)} %"
    where = "zero" if expect_zero else "above zero"
    rule = f"{where} in {int(ok.sum())} of {zeros.size} seeds"
    return _claim(claim, measure, bool(ok.all()), rule)


def check_claims(result: Any, sweep: Any = None) -> list[Claim]:
    """The lecture's claims that ``result`` (and ``sweep``) can test, with verdicts.

    From a comparison with the variants ``"none"`` and ``"l2"`` (and ``"l1"``):

    - L2 shrinks the weights: l2's first-layer kernel range over none's, below 1;
    - L2 does not drive weights exactly to zero: l2's exact zeros 0 in every seed;
    - L2 closes the train/validation gap: l2's gap below none's;
    - L2 smooths the decision boundary: l2's boundary length below none's (2-D);
    - L1 drives weights exactly to zero: l1's exact zeros above 0 in every seed;

    and from a sweep, a too-large lambda underfits: the largest lambda's training
    data loss above the best lambda's.

    Args:
        result: A ``kreg.ComparisonResult`` (its ``per_seed`` numbers), or
            ``None`` for a sweep's claims alone.
        sweep: A ``kreg.SweepResult``, or ``None``.

    Returns:
        The :class:`Claim` objects the numbers can test, in the order above.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> [claim.claim for claim in check_claims(result)][:2]
        ['L2 shrinks the weights', 'L2 does not drive weights exactly to zero']
    """
    found = []
    per_seed = getattr(result, "per_seed", None) or {}
    if "none" in per_seed and "l2" in per_seed:
        none, l2 = per_seed["none"], per_seed["l2"]

        def span(m: dict) -> np.ndarray:
            return np.asarray(m["first_kernel_max"]) - np.asarray(m["first_kernel_min"])

        ratio = span(l2) / span(none)
        measure = f"first-layer kernel range, l2 / none: {_spread(ratio)}"
        found.append(_claim("L2 shrinks the weights", measure, *_differ(ratio - 1, -1)))
        claim = "L2 does not drive weights exactly to zero"
        found.append(_zeros_claim(claim, "l2", l2["zero_fraction"], expect_zero=True))
        for key, claim, what in (
            ("gap", "L2 closes the train/validation gap", "gap (val - train loss)"),
            ("boundary_length", "L2 smooths the decision boundary", "boundary length"),
        ):
            if key in none and key in l2:
                a, b = np.asarray(none[key]), np.asarray(l2[key])
                measure = f"{what}: none {_spread(a)}, l2 {_spread(b)}"
                found.append(_claim(claim, measure, *_differ(b - a, -1)))
    if "l1" in per_seed:
        claim = "L1 drives weights exactly to zero"
        found.append(
            _zeros_claim(
                claim, "l1", per_seed["l1"]["zero_fraction"], expect_zero=False
            )
        )
    if sweep is not None and len(sweep.lams) > 1:
        train = np.asarray(sweep.metrics["train_loss"])  # (seeds, lambdas)
        best, last = sweep.best_index, len(sweep.lams) - 1
        if last != best:
            measure = (
                f"training data loss at lam={sweep.lams[last]:g}: "
                f"{_spread(train[:, last])}, at the best lam="
                f"{sweep.lams[best]:g}: {_spread(train[:, best])}"
            )
            holds, rule = _differ(train[:, last] - train[:, best], 1)
            found.append(_claim("A too-large lambda underfits", measure, holds, rule))
    return found


def claims_text(claims: list[Claim], seeds: int) -> str:
    """The claims as lines of text, for ``summary()`` and the command line."""
    if not claims:
        return ""
    rule = "mean difference beyond 2 standard errors" if seeds > 1 else "one seed"
    lines = [f"Claims ({seeds} seed{'s' if seeds > 1 else ''}; {rule}):"]
    for claim in claims:
        lines.append(f"  {claim.claim}: {claim.verdict}. {claim.measure}")
    return "\n".join(lines)
