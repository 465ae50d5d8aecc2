"""The lecture's claims about L1 and L2, checked against a comparison's numbers.

Each claim is tested on the run's seeds with one rule: a claim about a difference
between two variants *holds* when the mean of the per-seed differences lies in the
claimed direction by more than two standard errors (``std / sqrt(seeds)``, with
``ddof=1``); otherwise it *does not hold in this run*. With one seed there is no
spread: the verdict follows the sign and says so. A claim the run has no numbers
for (no ``"l2"`` variant, inputs that are not 2-D, no sweep) is left out.
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


def _verdict(holds: bool, rule: str) -> str:
    return ("holds" if holds else "does not hold in this run") + f" ({rule})"


def check_claims(result: Any, sweep: Any = None) -> list[Claim]:
    """The lecture's claims that ``result`` (and ``sweep``) can test, with verdicts.

    From a comparison with the variants ``"none"`` and ``"l2"`` (and ``"l1"``):

    - L2 shrinks the weights: the first layer's kernel range (max - min) of l2
      over that of none, below 1;
    - L2 does not drive weights exactly to zero: l2's exact zeros are 0 in every
      seed;
    - L2 closes the train/validation gap: l2's gap (validation minus training
      data loss) below none's;
    - L2 smooths the decision boundary: l2's boundary length
      (:func:`kreg.boundary_length`) below none's (2-D inputs only);
    - L1 drives weights exactly to zero: l1's fraction of exact zeros above 0 in
      every seed (only the proximal step gets there);

    and from a sweep of one penalty over lambda, a too-large lambda underfits: the
    largest lambda's training data loss above the best lambda's.

    Args:
        result: A ``kreg.ComparisonResult`` (its ``per_seed`` numbers are used),
            or ``None`` for a sweep's claims alone.
        sweep: A ``kreg.SweepResult``, or ``None``.

    Returns:
        The :class:`Claim` objects, in the order above, of the claims the
        numbers can test.

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
        holds, rule = _differ(ratio - 1, -1)
        found.append(
            Claim(
                "L2 shrinks the weights",
                f"first-layer kernel range, l2 / none: {_spread(ratio)}",
                holds,
                _verdict(holds, rule),
            )
        )
        zeros = np.asarray(l2["zero_fraction"])
        holds = bool((zeros == 0).all())
        found.append(
            Claim(
                "L2 does not drive weights exactly to zero",
                f"exact zeros of l2: {_spread(zeros * 100)} %",
                holds,
                _verdict(
                    holds, f"zero in {int((zeros == 0).sum())} of {zeros.size} seeds"
                ),
            )
        )
        for key, claim, what in (
            ("gap", "L2 closes the train/validation gap", "gap (val - train loss)"),
            (
                "boundary_length",
                "L2 smooths the decision boundary",
                "boundary length",
            ),
        ):
            if key not in none or key not in l2:
                continue
            a, b = np.asarray(none[key]), np.asarray(l2[key])
            holds, rule = _differ(b - a, -1)
            found.append(
                Claim(
                    claim,
                    f"{what}: none {_spread(a)}, l2 {_spread(b)}",
                    holds,
                    _verdict(holds, rule),
                )
            )
    if "l1" in per_seed:
        zeros = np.asarray(per_seed["l1"]["zero_fraction"])
        holds = bool((zeros > 0).all())
        found.append(
            Claim(
                "L1 drives weights exactly to zero",
                f"exact zeros of l1: {_spread(zeros * 100)} %",
                holds,
                _verdict(
                    holds,
                    f"above zero in {int((zeros > 0).sum())} of {zeros.size} seeds",
                ),
            )
        )
    if sweep is not None and len(sweep.lams) > 1:
        train = np.asarray(sweep.metrics["train_loss"])  # (seeds, lambdas)
        best, last = sweep.best_index, len(sweep.lams) - 1
        if last != best:
            holds, rule = _differ(train[:, last] - train[:, best], 1)
            found.append(
                Claim(
                    "A too-large lambda underfits",
                    f"training data loss at lam={sweep.lams[last]:g}: "
                    f"{_spread(train[:, last])}, at the best lam="
                    f"{sweep.lams[best]:g}: {_spread(train[:, best])}",
                    holds,
                    _verdict(holds, rule),
                )
            )
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
