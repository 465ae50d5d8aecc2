"""Fixtures shared by every test file: figures are drawn on Agg and closed."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test leaves open (matplotlib keeps them otherwise)."""
    yield
    plt.close("all")
