"""kreg.check_claims: the verdict rule on synthetic results where each claim
holds and where it does not."""

from types import SimpleNamespace

import numpy as np
import pytest

import kreg
from kreg.claims import claims_text


def _variant(rng, *, span=4.0, gap=1.0, boundary=8.0, zeros=0.0, noise=0.05):
    """Per-seed numbers of one variant (5 seeds) around the given values."""
    n = 5

    def around(value):
        return value + noise * rng.normal(size=n)

    return {
        "first_kernel_min": np.full(n, -span / 2),
        "first_kernel_max": around(span / 2),
        "gap": around(gap),
        "boundary_length": around(boundary),
        "zero_fraction": np.full(n, zeros),
    }


def _result(none, l2, l1=None):
    per_seed = {"none": none, "l2": l2, **({"l1": l1} if l1 else {})}
    return SimpleNamespace(per_seed=per_seed, seeds=[0, 1, 2, 3, 4])


def _verdicts(result, sweep=None):
    return {c.claim: c.holds for c in kreg.check_claims(result, sweep)}


def test_every_claim_holds_where_the_numbers_show_it():
    rng = np.random.default_rng(0)
    result = _result(
        _variant(rng),
        _variant(rng, span=1.5, gap=0.3, boundary=6.5),
        _variant(rng, zeros=0.98),
    )
    assert _verdicts(result) == {
        "L2 shrinks the weights": True,
        "L2 does not drive weights exactly to zero": True,
        "L2 closes the train/validation gap": True,
        "L2 smooths the decision boundary": True,
        "L1 drives weights exactly to zero": True,
    }


def test_every_claim_fails_where_the_numbers_do_not_show_it():
    rng = np.random.default_rng(1)
    result = _result(
        _variant(rng),
        _variant(rng, span=4.5, gap=1.2, boundary=8.0, zeros=0.01),
        _variant(rng, zeros=0.0),  # subgradient L1: no exact zeros
    )
    assert not any(_verdicts(result).values())


def test_a_difference_within_two_standard_errors_is_not_a_verdict():
    rng = np.random.default_rng(2)
    none = _variant(rng, boundary=8.0, noise=0.0)
    l2 = _variant(rng, boundary=8.0, noise=0.0)
    l2["boundary_length"] = 8.0 + np.array([-0.6, 0.5, -0.4, 0.3, -0.3])  # mean -0.1
    none["boundary_length"] = np.full(5, 8.0)
    claims = {c.claim: c for c in kreg.check_claims(_result(none, l2))}
    smooth = claims["L2 smooths the decision boundary"]
    # The standard error is 0.474 / sqrt(5) = 0.212: -0.1 is within 2 of them.
    assert not smooth.holds
    assert smooth.verdict.startswith("does not hold in this run (mean difference -0.1")
    assert "2 standard errors 0.42" in smooth.verdict


def test_one_seed_follows_the_sign_and_says_so():
    one = {k: v[:1] for k, v in _variant(np.random.default_rng(3)).items()}
    l2 = dict(one, gap=one["gap"] - 0.01)
    claims = kreg.check_claims(SimpleNamespace(per_seed={"none": one, "l2": l2}))
    gap = next(c for c in claims if "gap" in c.claim)
    assert gap.holds and "one seed: no spread" in gap.verdict
    assert claims_text(claims, 1).startswith("Claims (1 seed; one seed):")


@pytest.mark.parametrize("underfits", [True, False])
def test_a_too_large_lambda_underfits_from_a_sweep(underfits):
    train = np.array([[0.01, 0.1, 0.2, 0.69]] * 5) + 0.01 * np.arange(5)[:, None]
    if not underfits:
        train[:, 3] = 0.05
    sweep = SimpleNamespace(
        lams=np.array([0.0, 1.0, 10.0, 100.0]),
        metrics={"train_loss": train},
        best_index=1,
    )
    claims = kreg.check_claims(SimpleNamespace(per_seed={}), sweep)
    assert [(c.claim, c.holds) for c in claims] == [
        ("A too-large lambda underfits", underfits)
    ]


def test_a_real_comparison_reports_its_claims_in_the_summary():
    result = kreg.compare(hidden=(8, 8), epochs=30, batch_size=40, seeds=[0, 1])
    claims = kreg.check_claims(result)
    assert [c.claim for c in claims][0] == "L2 shrinks the weights"
    text = result.summary()
    assert "Claims (2 seeds; mean difference beyond 2 standard errors):" in text
    for claim in claims:
        assert f"{claim.claim}: {claim.verdict}" in text
    ratio = (
        result.per_seed["l2"]["first_kernel_max"]
        - result.per_seed["l2"]["first_kernel_min"]
    ) / (
        result.per_seed["none"]["first_kernel_max"]
        - result.per_seed["none"]["first_kernel_min"]
    )
    assert f"{ratio.mean():.3g}" in claims[0].measure
