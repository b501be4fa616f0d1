"""Exceptions that carry what a reviewer needs to fix the input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, 1-based row as a spreadsheet shows it, column) and why."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class MetapoolError(Exception):
    """Base class: every error the package raises on purpose."""


class InputError(MetapoolError):
    """Invalid input; holds every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        super().__init__("\n".join([head] + [f"  - {p}" for p in self.problems]))


class ConvergenceError(MetapoolError):
    """An iterative tau^2 estimator did not converge."""

    def __init__(self, estimator: str, detail: str = ""):
        self.estimator = estimator
        msg = f"the {estimator} estimator of tau^2 did not converge"
        super().__init__(msg + (f": {detail}" if detail else ""))
