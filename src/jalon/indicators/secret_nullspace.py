"""Which hidden cells a set of linear equations fixes, kept up to date as cells are hidden.

Pure numpy, no I/O; used by `jalon.indicators.secret_pattern` for secondary suppression. The
equations are fixed; the unknowns (hidden cells) are added one at a time. With A the equations
restricted to the unknowns, a hidden cell is fixed when every vector of the null space of A is
zero on it. Adding the column a of a new unknown either enlarges the column space of A (the null
space is unchanged, padded with a zero) or lies in it, a = A·x, and adds one null vector (−x, 1).
So the class keeps an orthonormal basis Q of the column space with Q = A·W, to get x = W·Qᵀa, and
an orthonormal basis of the null space: each addition costs a few matrix-vector products instead
of an SVD of the whole group.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

import numpy as np

Cell = TypeVar("Cell", bound=Hashable)

_NEW_DIRECTION = 1e-9  # residual, relative to the column's norm, above which a is independent
_CLEARLY_NEW = 1e-6  # ‖a‖² − ‖Qᵀa‖², relative, above which a candidate adds a direction
_FIXED = 1e-10  # squared length of a cell's row of the null basis under which it is fixed


class NullSpace(Generic[Cell]):
    """The null space of `equations` (maps of cell to coefficient) over the cells added."""

    def __init__(self, equations: list[dict[Cell, float]], capacity: int) -> None:
        self.rows: dict[Cell, list[tuple[int, float]]] = {}
        for i, equation in enumerate(equations):
            for cell, coefficient in equation.items():
                self.rows.setdefault(cell, []).append((i, coefficient))
        m = len(equations)
        self.position: dict[Cell, int] = {}
        self.q = np.zeros((m, m))
        self.w = np.zeros((capacity, m))
        self.null = np.zeros((capacity, capacity))
        self.rank = 0
        self.nullity = 0
        self.released = False  # once a cell is known again, Q and W no longer hold
        self._spans: dict[Cell, np.ndarray | None] = {}

    def _column(self, cell: Cell) -> np.ndarray:
        column = np.zeros(self.q.shape[0])
        for i, coefficient in self.rows.get(cell, ()):
            column[i] += coefficient
        return column

    def _projection(self, cell: Cell) -> tuple[np.ndarray, float]:
        """Qᵀa and ‖a‖² for the column a of `cell`: a cell is in a few equations, so Qᵀa reads
        only those rows of Q."""
        found = self.rows.get(cell, [])
        coefficients = np.array([c for _, c in found])
        y = coefficients @ self.q[[i for i, _ in found], : self.rank]
        return y, float(coefficients @ coefficients)

    def _in_span(self, candidate: Cell) -> np.ndarray | None:
        """y = Qᵀa for the column a of `candidate` when a lies in the column space of A (then
        a = A·x with x = W·y); None when it adds a direction. Kept until the next `add`.
        ‖a − QQᵀa‖² is ‖a‖² − ‖Qᵀa‖²: exact enough to choose a partner (`frees` only orders the
        candidates; `add` and the audit decide what is fixed)."""
        if candidate not in self._spans:
            y, length = self._projection(candidate)
            new = length - float(y @ y) > _CLEARLY_NEW * max(1.0, length)
            self._spans[candidate] = None if new else y
        return self._spans[candidate]

    def frees(self, candidate: Cell, cell: Cell) -> bool:
        """Whether making `candidate` an unknown too would free the unknown `cell` (the null
        vector it adds is not zero on `cell`)."""
        y = self._in_span(candidate)
        if y is None:
            return False
        share = float(self.w[self.position[cell], : self.rank] @ y)
        return share**2 > _FIXED

    def add(self, cell: Cell) -> None:
        """Make `cell` an unknown."""
        assert not self.released, "add() after release()"
        if cell in self.position:
            return
        self._spans.clear()
        n = len(self.position)
        self.position[cell] = n
        column = self._column(cell)
        q = self.q[:, : self.rank]
        y, _ = self._projection(cell)
        residual = column - q @ y
        again = q.T @ residual  # a second pass keeps Q orthonormal (Gram-Schmidt twice)
        residual -= q @ again
        y += again
        rho = float(np.linalg.norm(residual))
        if rho > _NEW_DIRECTION * max(1.0, float(np.linalg.norm(column))):
            self.q[:, self.rank] = residual / rho
            self.w[:n, self.rank] = -(self.w[:n, : self.rank] @ y) / rho
            self.w[n, self.rank] = 1.0 / rho
            self.rank += 1
            return
        vector = np.zeros(n + 1)
        vector[:n] = -(self.w[:n, : self.rank] @ y)
        vector[n] = 1.0
        basis = self.null[: n + 1, : self.nullity]
        for _ in range(2):
            vector -= basis @ (basis.T @ vector)
        length = float(np.linalg.norm(vector))
        if length > _NEW_DIRECTION:
            self.null[: n + 1, self.nullity] = vector / length
            self.nullity += 1

    def fixed_among(self, cells: list[Cell]) -> list[Cell]:
        """The cells of `cells` (unknowns) that the equations fix once every other cell is
        known (their row of the null basis is zero), in their order."""
        if not cells:
            return []
        rows = self.null[[self.position[c] for c in cells], : self.nullity]
        lengths = np.square(rows).sum(axis=1)
        return [c for c, length in zip(cells, lengths, strict=True) if length < _FIXED]

    def release(self, cell: Cell, free: list[Cell]) -> bool:
        """Make the unknown `cell` known again if every cell of `free` stays free; whether it
        did. Knowing it keeps the null vectors that are zero on it: with u its row of the
        orthonormal null basis N, normalised, the basis becomes N·H without its last column,
        H the Householder reflection taking u to the last axis."""
        k, n = self.nullity, len(self.position)
        basis = self.null[:n, :k]
        row = basis[self.position[cell]].copy()
        length = float(np.linalg.norm(row))
        self.released = True
        if length**2 < _FIXED:
            return True  # a fixed cell: knowing it tells nothing more
        u = row / length
        rows = basis[[self.position[c] for c in free if c != cell]]
        left = np.square(rows).sum(axis=1) - np.square(rows @ u)
        if left.size and float(left.min()) < _FIXED:
            return False
        w = u.copy()
        w[-1] -= 1.0
        if float(w @ w) > 1e-24:
            basis -= np.outer(basis @ w, w) * (2.0 / float(w @ w))
        self.null[:n, k - 1] = 0.0
        self.nullity -= 1
        return True
