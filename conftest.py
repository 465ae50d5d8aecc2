"""Collection of ``--doctest-modules kreg``: skip the engines of absent frameworks.

``kreg/_engine/_jax.py`` and ``_torch.py`` import their framework; without the
extra ``kreg[jax]`` or ``kreg[torch]`` installed there is nothing to collect.
"""

from kreg._backend import BACKENDS, missing

collect_ignore = [
    f"kreg/_engine/_{name}.py"
    for name in BACKENDS
    if name != "tensorflow" and missing(name)
]
