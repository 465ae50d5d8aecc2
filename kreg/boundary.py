"""The length of a decision boundary: "wiggly against smooth" as a number.

A classifier's decision boundary in a 2-D plot box is the contour where its
predicted probability crosses 0.5. Its length, in the units of the data, is the
complexity measure kreg reports: a straight boundary across the box is as long as
the box is wide, a boundary that bends around single training points is longer.
It is measured on the grid of the decision figure by marching squares: in every
grid cell whose corners lie on both sides of the level, the crossings of the cell's
edges are placed by linear interpolation and joined by straight segments (in a
saddle cell, the two segments that keep the cell's centre on its side); the
length is the sum of the segments. For a boundary that is a straight line this is
exact; for a smooth curve the error falls with the square of the grid spacing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kreg._validation import _fail_array

__all__ = ["boundary_length"]


def boundary_length(xx: Any, yy: Any, probabilities: Any, level: float = 0.5) -> float:
    """The length of the ``level`` contour of ``probabilities`` over a grid.

    Args:
        xx: Grid x coordinates, ``(rows, columns)``, as ``numpy.meshgrid(x, y)``
            makes them (x along the columns), at least 2 x 2.
        yy: Grid y coordinates, of the same shape.
        probabilities: The predicted probability at each grid point, same shape.
        level: The contour's value (0.5: the decision boundary).

    Returns:
        The contour's total length in the units of ``xx`` and ``yy`` (0.0 if the
        probability stays on one side of ``level``).

    Raises:
        ValueError: If the three arrays do not have one 2-D shape of at least
            2 x 2.

    Examples:
        >>> import numpy as np
        >>> xx, yy = np.meshgrid(np.linspace(-1, 1, 101), np.linspace(-1, 1, 101))
        >>> round(boundary_length(xx, yy, 0.5 + 0.1 * xx), 6)  # the line x = 0
        2.0
        >>> circle = 1.0 - (xx**2 + yy**2) / 0.25  # >= 0.5 inside radius 0.5 / 2**0.5
        >>> round(boundary_length(xx, yy, circle) / (2 * np.pi * 0.5 / 2**0.5), 3)
        1.0
    """
    xx, yy, p = (np.asarray(a, dtype=np.float64) for a in (xx, yy, probabilities))
    if not (xx.shape == yy.shape == p.shape and xx.ndim == 2 and min(xx.shape) >= 2):
        _fail_array(
            "probabilities",
            "one 2-D shape of at least 2 x 2 for xx, yy and probabilities",
            p,
            ValueError,
        )
    f = p - level
    inside = f >= 0
    corner = {  # the four corners of every cell: bottom/top, left/right
        name: (f[rows, cols], inside[rows, cols])
        for name, rows, cols in (
            ("bl", slice(None, -1), slice(None, -1)),
            ("br", slice(None, -1), slice(1, None)),
            ("tl", slice(1, None), slice(None, -1)),
            ("tr", slice(1, None), slice(1, None)),
        )
    }
    x0, x1 = xx[:-1, :-1], xx[:-1, 1:]
    y0, y1 = yy[:-1, :-1], yy[1:, :-1]

    def crossing(a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
        (fa, ia), (fb, ib) = corner[a], corner[b]
        crossed = ia != ib
        t = np.divide(fa, fa - fb, out=np.zeros_like(fa), where=crossed)
        return crossed, t

    edges = {}  # edge -> (crossed, x, y) of its crossing point
    for name, a, b in (("bottom", "bl", "br"), ("top", "tl", "tr")):
        crossed, t = crossing(a, b)
        edges[name] = (crossed, x0 + t * (x1 - x0), y0 if name == "bottom" else y1)
    for name, a, b in (("left", "bl", "tl"), ("right", "br", "tr")):
        crossed, t = crossing(a, b)
        edges[name] = (crossed, x0 if name == "left" else x1, y0 + t * (y1 - y0))

    def segment(a: str, b: str) -> np.ndarray:
        (_, xa, ya), (_, xb, yb) = edges[a], edges[b]
        return np.hypot(np.broadcast_to(xa - xb, f[:-1, :-1].shape), ya - yb)

    count = sum(crossed.astype(int) for crossed, _, _ in edges.values())
    length = np.zeros_like(x0)
    names = list(edges)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            both = (count == 2) & edges[a][0] & edges[b][0]
            length += np.where(both, segment(a, b), 0.0)
    saddle = count == 4
    if saddle.any():
        centre = sum(corner[c][0] for c in corner) / 4 >= 0
        with_bl = centre == corner["bl"][1]  # the centre on the bottom-left's side
        cut_br_tl = segment("bottom", "right") + segment("left", "top")
        cut_bl_tr = segment("bottom", "left") + segment("top", "right")
        length += np.where(saddle, np.where(with_bl, cut_br_tl, cut_bl_tr), 0.0)
    return float(length.sum())
