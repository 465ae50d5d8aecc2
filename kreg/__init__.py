"""kreg: L1 and L2 weight regularization for Keras 3, correct, visible and fast.

The public API:

- ``L1``, ``L2``, ``L1L2``: kernel regularizers with the ``lam / (2 n)`` scaling.
- ``GroupL1``: the group lasso, which sets whole units or inputs to zero.
- ``l1_penalty``, ``l2_penalty``, ``group_l1_penalty``, ``group_norms``: the
  penalty functions they call.
- ``regularize``: a copy of a built model whose kernels carry a regularizer.
- ``prune``: a smaller copy of a model, without its units and inputs at zero.
- ``conventions``: conversions to and from Keras, PyTorch and scikit-learn settings.
- ``ProximalSGD``, ``ProximalAdam`` (module ``proximal``): L1 with exact zeros.
- ``make_moons`` (module ``datasets``): scikit-learn's two moons, NumPy only.
- ``WeightHistory``: a callback that records every kernel per epoch.
- ``boundary_length``: a decision boundary's length, its complexity as a number.
- ``check_claims``: the lecture's claims a comparison's numbers test, with verdicts.
- ``compare``: unregularized, L1 and L2 models trained side by side on two moons.
- ``sweep``: one model per lambda, side by side: paths, validation curve, sparsity.
- ``report``: the report (html, json, png, npz) of a comparison.
- ``plots``: figures of histories and comparisons (matplotlib, imported lazily).

``import kreg`` imports neither Keras nor the backend (TensorFlow takes about 4 s),
so the ``kreg`` command answers ``--help`` and bad options at once: each name above
is imported when first used. kreg's saved classes are registered with Keras as soon
as Keras is imported, before or after ``import kreg``, so that ``load_model`` finds
them.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

from kreg._version import __version__

if TYPE_CHECKING:  # what the names are, for type checkers and the API docs
    from kreg import conventions, datasets, penalties, plots, proximal, report
    from kreg.boundary import boundary_length
    from kreg.claims import check_claims
    from kreg.compare import ComparisonResult, compare
    from kreg.datasets import make_moons
    from kreg.history import WeightHistory, WeightStats
    from kreg.penalties import group_l1_penalty, group_norms, l1_penalty, l2_penalty
    from kreg.proximal import ProximalAdam, ProximalSGD
    from kreg.prune import prune
    from kreg.regularizers import L1, L1L2, L2, GroupL1, regularize
    from kreg.sweep import SweepResult, sweep

#: The public modules.
_MODULES = ("conventions", "datasets", "penalties", "plots", "proximal", "report")

#: The public names each module defines (a public module of _MODULES: itself).
_NAMES = {
    "kreg.boundary": ("boundary_length",),
    "kreg.claims": ("check_claims",),
    "kreg.compare": ("ComparisonResult", "compare"),
    "kreg.conventions": ("conventions",),
    "kreg.datasets": ("datasets", "make_moons"),
    "kreg.history": ("WeightHistory", "WeightStats"),
    "kreg.penalties": (
        "penalties",
        "group_l1_penalty",
        "group_norms",
        "l1_penalty",
        "l2_penalty",
    ),
    "kreg.plots": ("plots",),
    "kreg.proximal": ("proximal", "ProximalAdam", "ProximalSGD"),
    "kreg.prune": ("prune",),
    "kreg.regularizers": ("GroupL1", "L1", "L1L2", "L2", "regularize"),
    "kreg.report": ("report",),
    "kreg.sweep": ("SweepResult", "sweep"),
}
#: Public name -> the module that defines it.
_WHERE = {name: module for module, names in _NAMES.items() for name in names}

__all__ = [
    "ComparisonResult",
    "GroupL1",
    "L1",
    "L1L2",
    "L2",
    "ProximalAdam",
    "ProximalSGD",
    "SweepResult",
    "WeightHistory",
    "WeightStats",
    "__version__",
    "boundary_length",
    "check_claims",
    "compare",
    "conventions",
    "datasets",
    "group_l1_penalty",
    "group_norms",
    "l1_penalty",
    "l2_penalty",
    "make_moons",
    "penalties",
    "plots",
    "proximal",
    "prune",
    "regularize",
    "report",
    "sweep",
]

#: The submodules named as the function they define.
_SHADOWED = ("kreg.compare", "kreg.prune", "kreg.sweep")
#: The modules whose classes Keras must find by their registered names.
_REGISTERING = ("kreg.regularizers", "kreg.proximal")


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'kreg' has no attribute {name!r}")
    module = importlib.import_module(where)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Keeps ``kreg.compare``, ``kreg.sweep`` and ``kreg.prune`` the functions
    (importing those submodules would set the attributes to the modules)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ in _SHADOWED:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def _register() -> None:
    for name in _REGISTERING:
        importlib.import_module(name)


class _RegisterAfterKeras(importlib.abc.MetaPathFinder):
    """Registers kreg's classes right after ``import keras`` has run, by wrapping
    the ``exec_module`` of the loader the other finders give; acts once."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if fullname != "keras":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            run(module)
            _register()

        loader.exec_module = exec_module
        return spec


if "keras" in sys.modules:
    _register()
else:
    sys.meta_path.insert(0, _RegisterAfterKeras())
