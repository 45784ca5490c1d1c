import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.model import expression
from explorer.model.expression import MAX_DEPTH, MAX_LENGTH, read

finite = st.floats(allow_nan=False, allow_infinity=False)


# -- random expressions: rendered, read back, and computed here step by step ------------------
def leaf(value: float, minus: str) -> tuple[str, float]:
    text = repr(value).replace("-", minus)
    return (f"({text})" if math.copysign(1, value) < 0 else text), value


def step(op: str, a: float | Exception, b: float | Exception) -> float | Exception:
    """One step of the reference computation: a value, or why the reader must refuse it."""
    if isinstance(a, Exception):
        return a
    if isinstance(b, Exception):
        return b
    try:
        if op == "+":
            value = a + b
        elif op == "-":
            value = a - b
        elif op in ("*", "×", "·"):
            value = a * b
        elif op in ("/", "÷"):
            value = a / b
        else:
            value = math.pow(a, b)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        return exc
    # Every step must be finite, as in the reader: 1/(1e308*10) is refused, not 0.
    return value if math.isfinite(value) else OverflowError()


@st.composite
def expressions(draw, depth=3):
    """The text of a random expression, and its value or the exception computing it raises."""
    minus = draw(st.sampled_from(["-", "−", "–"]))
    if depth == 0 or draw(st.booleans()):
        return leaf(draw(finite), minus)
    op = draw(st.sampled_from(["+", "-", "*", "×", "·", "/", "÷", "^", "**"]))
    left_text, left = draw(expressions(depth - 1))
    if op in ("^", "**"):  # mostly small exponents, so that not every power overflows
        right_text, right = leaf(draw(st.integers(-4, 4).map(float) | st.floats(-3, 3)), minus)
    else:
        right_text, right = draw(expressions(depth - 1))
    space = draw(st.sampled_from(["", " "]))
    return f"({left_text}{space}{op}{space}{right_text})", step(op, left, right)


@given(expressions())
def test_a_random_expression_reads_back_to_its_value_or_is_refused(case):
    text, outcome = case
    if len(text) > MAX_LENGTH:
        with pytest.raises(ValueError, match="too long"):
            read(text)
    elif isinstance(outcome, Exception):
        with pytest.raises(ValueError, match="divides by zero|too large|not a real number"):
            read(text)
    else:
        assert read(text).value == outcome, text


@given(finite)
def test_a_float_reads_back_exactly_in_scientific_forms(value):
    mantissa, _, exponent = repr(abs(value)).partition("e")
    sign = "−" if math.copysign(1, value) < 0 else ""
    k = int(exponent or 0)
    for text in (f"{sign}{mantissa}×10^{k}", f"{sign}{mantissa}·10^({k})",
                 f"{sign}{mantissa} * 10 ** {k}", f"{sign}({mantissa})×10^{k}"):
        assert read(text).value == value, text


@given(st.text(max_size=60) | st.text("0123456789.+-−*/^() eE×·÷⁻²", max_size=60))
def test_garbage_raises_nothing_but_a_value_error(text):
    try:
        reading = read(text)
    except ValueError as exc:
        assert str(exc), text
    else:
        assert math.isfinite(reading.value)


# -- the precision a number was typed with ----------------------------------------------------
@pytest.mark.parametrize(("text", "value", "place"), [
    ("0.0049", 0.0049, -4), ("−0.0049", -0.0049, -4), ("- 0.0049", -0.0049, -4),
    ("4.9e-3", 0.0049, -4), ("4.9E-3", 0.0049, -4), ("49e-4", 0.0049, -4),
    ("4.9×10^-3", 0.0049, -4), ("−4.9 × 10^−3", -0.0049, -4), ("4.9·10⁻³", 0.0049, -4),
    ("4.90e-3", 0.0049, -5), ("12", 12.0, 0), ("1.2e5", 120000.0, 4), ("(0.25)", 0.25, -2),
    ("-(0.25)", -0.25, -2), (".5", 0.5, -1), ("5.", 5.0, 0),
    ("1/4", 0.25, None), ("2^16", 65536.0, None), ("10^-3", 0.001, None),
    ("0.1 + 0.2", 0.1 + 0.2, None), ("4.9×10^-3×10", 0.049, None),
])
def test_the_precision_of_a_number_is_the_place_of_its_last_digit(text, value, place):
    assert read(text) == expression.Reading(value, place)


@pytest.mark.parametrize(("text", "message"), [
    ("1/0", "'1/0' divides by zero"),
    ("0^-2", "'0^-2' divides by zero"),
    ("1e400", "'1e400' is too large (beyond ±1.8e308)"),
    ("(-8)^(1/3)", "'(-8)^(1/3)' is not a real number"),
    ("--3", "'--3' has two signs in a row (write −(−3))"),
    ("2 - -3", "'2 - -3' has two signs in a row (write −(−3))"),
    ("(1+2", "'(1+2' has unbalanced parentheses"),
    ("1+2)", "'1+2)' has unbalanced parentheses"),
    ("twelve", "'twelve' is not a number"),
    ("0x1f", "'0x1f' is not a number"),
    ("nan", "'nan' is not a number"),
    ("1..2", "'1..2' is not a number"),
    ("2(3)", "'2(3)' is not a number"),
    ("", "'' is not a number"),
    ("1" * (MAX_LENGTH + 1), f"too long (≤ {MAX_LENGTH} characters)"),
    ("-" + "(-" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
     f"nests too deeply (≤ {MAX_DEPTH} levels)"),
    ("2^" * MAX_DEPTH + "2", f"nests too deeply (≤ {MAX_DEPTH} levels)"),
])
def test_refusals_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as info:
        read(text)
    assert message in str(info.value)


def test_signs_after_an_operator_and_in_parentheses_are_fine():
    assert read("2*-3").value == -6.0
    assert read("2^-1").value == 0.5
    assert read("-(-3)").value == 3.0
    assert read("2 - (-3)").value == 5.0
    assert read("-2^2").value == -4.0 and read("(-2)^2").value == 4.0
    assert read("2^3^2").value == 512.0
    assert read("1 - 2 - 3").value == -4.0 and read("8 / 4 / 2").value == 1.0
