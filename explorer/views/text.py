"""How numbers are written on screen: in cells, fields and captions. Pure Python."""

from __future__ import annotations

import numpy as np


def short_number(value: float) -> str:
    """A number as short as a cell needs, with a true minus sign: ``3``, ``−0.5``, ``1.23e+04``."""
    value = float(value)
    if value == 0:
        return "0"  # never "-0"
    if value.is_integer() and abs(value) < 1e5:
        text = str(int(value))
    else:
        text = f"{value:.3g}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def product_term(value: float, weight: float) -> str:
    """One term of a sum of products, ``"4·2"``; negative factors get parentheses."""
    def factor(v: float) -> str:
        text = short_number(v)
        return f"({text})" if text.startswith("−") else text

    return f"{factor(value)}·{factor(weight)}"


def sum_caption(label: str, values: np.ndarray, kernel: np.ndarray, total: float) -> str:
    """``"y₄ = 2·1 + 3·0 + 4·2 = 10"``: a window's values, the kernel as applied, the total."""
    terms = " + ".join(product_term(v, w) for v, w in zip(values.ravel(), kernel.ravel(),
                                                          strict=True))
    return f"{label} = {terms} = {short_number(total)}"


def subscript(number: int) -> str:
    """``12`` -> ``"₁₂"``."""
    return str(number).translate(str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋"))


def format_vector(values: np.ndarray) -> str:
    """A vector the way a field shows it (and reads it back): ``1, -2.5, 3``."""
    return ", ".join(f"{v:g}" for v in np.asarray(values, dtype=np.float64))


def matrix_table(values: object) -> tuple[list[str], list[list]]:
    """A grid as a table (header, rows), each row led by its 1-based number: for CSV."""
    array = np.asarray(values, dtype=np.float64)
    return (["row", *(f"col {j + 1}" for j in range(array.shape[1]))],
            [[i + 1, *row] for i, row in enumerate(array.tolist())])
