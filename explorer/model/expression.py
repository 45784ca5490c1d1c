"""A safe reader for the arithmetic a student types as an answer: ``-(1/4)``, ``4.9×10^-3``.

Never ``eval``: a tokenizer and a recursive-descent parser over ``+ − × / ^`` and parentheses,
computing in floating point, where every step must stay finite.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Longest text read: an answer longer than this is a paste gone wrong.
MAX_LENGTH = 200
#: Deepest nesting of parentheses, signs and powers (keeps the parser's recursion shallow).
MAX_DEPTH = 40

_DASHES = "\u2212\u2013\u2014\u2010\u2011\u2012\ufe63\uff0d"  # − – — ‐ ‑ ‒ ﹣ －
_SPACES = "\u00a0\u2007\u2009\u202f\u200a\u3000"
_NORMAL = str.maketrans({
    **dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SPACES, " "), "\uff0b": "+",
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "✕": "*", "÷": "/", "⁄": "/", "∕": "/",
})
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TOKEN = re.compile(r"\s*(?:(?P<number>(?P<mantissa>\d+\.?\d*|\.\d+)"
                    r"(?:[eE](?P<exponent>[+-]?\d+))?)|(?P<op>\*\*|[-+*/^()]))")
_SIGNS = ("+", "-")


@dataclass(frozen=True)
class Reading:
    """A number read from text, and the precision it was typed with.

    Attributes
    ----------
    value : float
        The finite value.
    place : int or None
        ``10 ** place`` is the unit of the last digit typed: −4 for ``0.0049``, ``4.9e-3`` and
        ``4.9×10^-3``; 0 for ``12``. None for a computed expression such as ``1/4`` or
        ``2^16``, which is exact.
    """

    value: float
    place: int | None


@dataclass(frozen=True)
class _Term:
    """A parsed part of the text: its value, and how it was written where that matters."""

    value: float
    place: int | None = None
    #: A number as typed (sign included) with its own exponent, e.g. ``("-4.9", 0)``: the
    #: left side of ``× 10^k``, read as the decimal ``-4.9e{k}`` rather than a product.
    decimal: tuple[str, int] | None = None
    #: k when the term is ``10^k`` with a whole k.
    ten_power: int | None = None


def normalise(text: str) -> str:
    """``text`` with the dashes, spaces and operator signs students paste made plain ASCII.

    Superscripts become a power: ``10⁻³`` reads ``10^(-3)``.
    """
    text = text.translate(_NORMAL)
    return _SUPERSCRIPTS.sub(lambda m: f"^({m.group().translate(_FROM_SUPERSCRIPT)})", text)


def read(text: str) -> Reading:
    """Read one number or arithmetic expression, or raise ValueError saying what is wrong.

    Accepted: numbers (``0.25``, ``.5``, ``2.5e-1``), unary signs (``- 0.25``, with Unicode
    minus or a pasted dash), parentheses, ``+ − × · * / ÷``, powers ``^`` or ``**`` (right
    associative; ``-2^2`` is −4), ``4.9×10^-3`` and ``4.9·10⁻³``. Two signs in a row (``--3``)
    are refused, as are a division by zero, a result beyond ±1.8e308, and a negative number
    to a fractional power.

    Parameters
    ----------
    text : str
        What was typed (one number: no commas).

    Returns
    -------
    Reading
        The value, and the precision of a plain or scientific number.
    """
    shown = text.strip()[:20]
    body = normalise(text).strip()
    if len(body) > MAX_LENGTH:
        raise ValueError(f"too long (≤ {MAX_LENGTH} characters)")
    tokens = []
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            if body[position:].strip() == "":
                break
            raise ValueError(f"'{shown}' is not a number")
        tokens.append(match)
        position = match.end()
    if not tokens:
        raise ValueError(f"'{shown}' is not a number")
    term = _Parser(tokens, shown).parse()
    return Reading(term.value, term.place)


class _Parser:
    """Recursive descent over the tokens; each method reads one level of the grammar.

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("+" | "-") unary | power
    power      := atom ("^" unary)?
    atom       := number | "(" expression ")"
    """

    def __init__(self, tokens: list[re.Match], shown: str) -> None:
        self._tokens = tokens
        self._shown = shown
        self._next = 0
        self._depth = 0

    def parse(self) -> _Term:
        term = self._expression()
        if self._next < len(self._tokens):
            what = "has unbalanced parentheses" if self._peek() == ")" else "is not a number"
            raise ValueError(f"'{self._shown}' {what}")
        return term

    # -- tokens ---------------------------------------------------------------------------
    def _peek(self) -> str | None:
        if self._next >= len(self._tokens):
            return None
        token = self._tokens[self._next]
        op = token.group("op")
        return ("^" if op == "**" else op) if op else "number"

    def _take(self) -> re.Match:
        token = self._tokens[self._next]
        self._next += 1
        return token

    def _enter(self) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ValueError(f"'{self._shown}' nests too deeply (≤ {MAX_DEPTH} levels)")

    # -- arithmetic -----------------------------------------------------------------------
    def _finite(self, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"'{self._shown}' is too large (beyond ±1.8e308)")
        return value

    def _divides_by_zero(self) -> ValueError:
        return ValueError(f"'{self._shown}' divides by zero")

    # -- grammar --------------------------------------------------------------------------
    def _expression(self) -> _Term:
        left = self._term()
        while self._peek() in _SIGNS:
            op = self._take().group("op")
            right = self._term()
            total = left.value + right.value if op == "+" else left.value - right.value
            left = _Term(self._finite(total))
        return left

    def _term(self) -> _Term:
        left = self._unary()
        while self._peek() in ("*", "/"):
            op = self._take().group("op")
            right = self._unary()
            if op == "/":
                if right.value == 0:
                    raise self._divides_by_zero()
                left = _Term(self._finite(left.value / right.value))
            elif right.ten_power is not None and left.decimal is not None:
                # 4.9×10^-3 is the decimal 4.9e-3, not 4.9 times the float nearest 0.001.
                digits, exponent = left.decimal
                exponent += right.ten_power
                left = _Term(self._finite(float(f"{digits}e{exponent}")),
                             None if left.place is None else left.place + right.ten_power,
                             (digits, exponent))
            else:
                left = _Term(self._finite(left.value * right.value))
        return left

    def _unary(self) -> _Term:
        self._enter()
        if self._peek() in _SIGNS:
            if self._next > 0 and self._tokens[self._next - 1].group("op") in _SIGNS:
                raise ValueError(f"'{self._shown}' has two signs in a row (write −(−3))")
            op = self._take().group("op")
            term = self._unary()
            if op == "-":
                decimal = None
                if term.decimal is not None:
                    digits, exponent = term.decimal
                    decimal = (digits[1:] if digits.startswith("-") else "-" + digits, exponent)
                term = _Term(-term.value, term.place, decimal)
        else:
            term = self._power()
        self._depth -= 1
        return term

    def _power(self) -> _Term:
        base = self._atom()
        if self._peek() != "^":
            return base
        self._take()
        exponent = self._unary().value
        if base.value == 0 and exponent < 0:
            raise self._divides_by_zero()
        try:
            value = math.pow(base.value, exponent)
        except OverflowError:
            raise ValueError(f"'{self._shown}' is too large (beyond ±1.8e308)") from None
        except ValueError:  # a negative base to a fractional power
            raise ValueError(f"'{self._shown}' is not a real number") from None
        whole = exponent.is_integer() and abs(exponent) <= 1000
        ten = base.decimal == ("10", 0) and whole
        return _Term(self._finite(value), ten_power=int(exponent) if ten else None)

    def _atom(self) -> _Term:
        kind = self._peek()
        if kind == "(":
            self._take()
            self._enter()
            inner = self._expression()
            if self._peek() != ")":
                raise ValueError(f"'{self._shown}' has unbalanced parentheses")
            self._take()
            self._depth -= 1
            return inner
        if kind != "number":
            raise ValueError(f"'{self._shown}' is not a number")
        token = self._take()
        mantissa, exponent = token.group("mantissa"), int(token.group("exponent") or 0)
        decimals = len(mantissa.partition(".")[2])
        value = self._finite(float(token.group("number")))
        return _Term(value, exponent - decimals, (mantissa, exponent))
