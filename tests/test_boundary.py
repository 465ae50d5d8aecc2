"""kreg.boundary_length on shapes whose boundary length is known."""

import re

import numpy as np
import pytest

import kreg


def _grid(n=201, box=(-1.0, 1.0, -1.0, 1.0)):
    return np.meshgrid(np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n))


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda x, y: 0.5 + 0.2 * x, 2.0),  # the vertical line x = 0
        (lambda x, y: 0.5 - 0.2 * (y - 0.3), 2.0),  # the horizontal line y = 0.3
        (lambda x, y: 0.5 + 0.1 * (x + y), 2 * np.sqrt(2)),  # the diagonal
        (lambda x, y: 0.5 + 0.1 * (x - 0.5 * y - 0.2), np.hypot(1.0, 2.0)),
    ],
)
def test_straight_boundaries_are_exact(make, expected):
    xx, yy = _grid()
    assert kreg.boundary_length(xx, yy, make(xx, yy)) == pytest.approx(expected, 1e-9)


@pytest.mark.parametrize("radius", [0.2, 0.5, 0.9])
def test_a_circle_measures_its_circumference(radius):
    xx, yy = _grid()
    p = 1 / (1 + np.exp(10 * (np.hypot(xx - 0.05, yy) - radius)))  # sigmoid disc
    assert kreg.boundary_length(xx, yy, p) == pytest.approx(2 * np.pi * radius, 2e-3)


def test_wiggles_lengthen_the_boundary_as_the_arc_length_says():
    # y = 0.2 sin(3 pi x) from x = -1 to 1: its arc length by quadrature.
    xx, yy = _grid(401)
    p = 0.5 + 0.2 * (yy - 0.2 * np.sin(3 * np.pi * xx))
    x = np.linspace(-1, 1, 200_001)
    arc = np.trapezoid(np.hypot(1, 0.6 * np.pi * np.cos(3 * np.pi * x)), x)
    got = kreg.boundary_length(xx, yy, p)
    assert got == pytest.approx(arc, 1e-3)
    assert got > 1.5 * 2.0  # much longer than the straight line


def test_no_boundary_is_zero_and_saddles_are_handled():
    xx, yy = _grid(11)
    assert kreg.boundary_length(xx, yy, np.full_like(xx, 0.9)) == 0.0
    # p - 0.5 = x * y: the two axes (length 4) cross at the origin, the centre
    # of a saddle cell when the points per side are even. Every other cell they
    # cross is measured exactly; the saddle cell (side s) gets two segments that
    # cut its corners off its centre's side, 2 * s / sqrt(2), instead of the
    # cross's 2 * s: marching squares cannot tell a crossing from two near misses.
    xx, yy = _grid(10)
    side = 2 / 9
    expected = 4.0 - 2 * side + np.sqrt(2) * side
    assert kreg.boundary_length(xx, yy, 0.5 + xx * yy) == pytest.approx(expected, 1e-9)


def test_bad_shapes_are_refused():
    xx, yy = _grid(5)
    message = "argument `probabilities`: expected one 2-D shape of at least 2 x 2"
    with pytest.raises(ValueError, match=re.escape(message)):
        kreg.boundary_length(xx, yy, np.ones(5))
    with pytest.raises(ValueError, match=re.escape(message)):
        kreg.boundary_length(xx[:1], yy[:1], xx[:1])
