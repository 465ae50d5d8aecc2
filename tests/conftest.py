"""Shared by every test file: figures drawn on Agg and closed; backend selection."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

#: A script that test_distribute.py runs in processes of its own, not a test module.
collect_ignore = ["distributed_run.py"]


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test leaves open (matplotlib keeps them otherwise)."""
    yield
    plt.close("all")


def pytest_collection_modifyitems(config, items):
    """Deselect the ``tensorflow_only`` tests on the other Keras backends."""
    from backend import BACKEND

    if BACKEND == "tensorflow":
        return
    kept = [item for item in items if "tensorflow_only" not in item.keywords]
    deselected = [item for item in items if "tensorflow_only" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
