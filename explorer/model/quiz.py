"""Check-yourself questions made from what a panel shows, and the grading of typed answers.

Every answer is computed by the model function that the panel itself uses (``losses.bce_grad``,
``softmax.softmax_jacobian``, ``conv.trace``, ``cnn.layer_details``, ``backprop.grad_h1`` ...);
the working only writes out, with those numbers, how the result is put together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from explorer.model import expression, losses
from explorer.model.activations import sigmoid, softplus
from explorer.model.expression import Reading

if TYPE_CHECKING:
    from explorer.model.equivalence import TwoLayerNet

# The other topics' model modules are imported by the builders that need them: the window
# imports this module at start-up, when only the first panel's modules should load.

#: How close a rounded answer must be: one unit in the last decimal the prompt asks for.
DECIMALS = 3
#: Tolerance of a question whose answer is a whole number (a length, a shape, a count): exact.
EXACT = 1e-6


@dataclass(frozen=True)
class Question:
    """One prediction to type before looking, with its answer and the working that explains it.

    Parameters
    ----------
    prompt : str
        What to work out, plain text or light HTML, saying the rounding expected
        ("… ? (to 3 decimals)").
    answer : float or tuple of float
        The model's value; a tuple for a shape or a list of numbers.
    working : str
        HTML: the computation written out with the panel's numbers.
    tolerance : float
        Largest ``|typed − answer|`` (per entry) graded right.
    kind : str
        What sort of question this is, e.g. ``"ce_grad"`` or ``"output_shape"``.
    """

    prompt: str
    answer: tuple[float, ...] | float
    working: str
    tolerance: float = 10.0 ** -DECIMALS
    kind: str = "number"

    def values(self) -> tuple[float, ...]:
        """The answer as a tuple (one entry for a single number)."""
        if isinstance(self.answer, tuple):
            return tuple(float(v) for v in self.answer)
        return (float(self.answer),)

    def is_list(self) -> bool:
        """Whether the answer is several numbers (a shape, a vector)."""
        return isinstance(self.answer, tuple)

    def answer_text(self) -> str:
        """The answer rounded as the prompt asks, e.g. ``"−0.998"`` or ``"(32, 64, 64)"``."""
        decimals = _decimals_of(self.tolerance)
        texts = [_plain(v, decimals, grouped=not self.is_list()) for v in self.values()]
        return f"({', '.join(texts)})" if self.is_list() else texts[0]

    def rounding_asked(self) -> str | None:
        """The rounding the prompt asks for, e.g. ``"5 decimals"`` or ``"4 significant figures"``.

        None for a whole-number answer (exact) and for a list.
        """
        if self.is_list() or self.tolerance <= EXACT:
            return None
        place = _place_of(self.tolerance)
        if place < 0:
            return f"{-place} decimal{'s' if place != -1 else ''}"
        answer = abs(self.values()[0])
        figures = math.floor(math.log10(answer)) - place + 1 if answer else 0
        if figures < 1:
            return None
        return f"{figures} significant figure{'s' if figures != 1 else ''}"


@dataclass(frozen=True)
class Verdict:
    """What :func:`grade` made of a typed answer.

    Attributes
    ----------
    correct : bool
        Right within the question's tolerance (False when the text could not be read).
    readable : bool
        Whether the text could be read as the kind of answer the question wants.
    message : str
        One line for the student: "Right: …", "Right so far: give 5 decimals", "Not quite: the
        answer is …", or what to type.
    typed : tuple of float or None
        The numbers read from the text.
    right_so_far : bool
        The answer typed with fewer digits than asked, and right to the digits it has: neither
        right nor wrong (see :func:`grade`).
    """

    correct: bool
    readable: bool
    message: str
    typed: tuple[float, ...] | None = None
    right_so_far: bool = False

    @property
    def wrong(self) -> bool:
        """Whether the answer was read and is wrong (not merely short of digits)."""
        return self.readable and not self.correct and not self.right_so_far


# -- reading what the student typed ---------------------------------------------------------
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:([,_ ])\d{3})(?:\1\d{3})*(?:\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"\d,\d")
_LIST_SEPARATORS = re.compile(r"[\s,;×x*]+")


def _example(count: int) -> str:
    if count == 1:
        return "a number such as 0.25"
    if count == 3:
        return "a shape such as (8, 14, 14) or 8x14x14"
    return f"{count} numbers such as " + ", ".join(str(i + 1) for i in range(count))


def _read_one(body: str, example: str) -> Reading:
    """One number or expression: ``-(1/4)``, ``4.9×10^-3``, ``18,432``, ``0,25`` ..."""
    if len(body) >= 2 and body[0] + body[-1] in ("[]", "{}"):
        body = body[1:-1].strip()
    if not body:
        raise ValueError(f"type {example}")
    signless = re.sub(r"^([+-])\s+", r"\1", body)
    if _THOUSANDS.match(signless):
        # 18,432 and 1 000 000: digit groups of three. "1,500" is read this way too, as before.
        body = re.sub(r"[,_ ]", "", signless)
    elif body.count(",") == 1 and "." not in body and _DECIMAL_COMMA.search(body):
        body = body.replace(",", ".")  # one comma between digits, no point: a decimal comma
    try:
        return expression.read(body)
    except ValueError as exc:
        parts = [t for t in _LIST_SEPARATORS.split(body) if t]
        if len(parts) > 1 and all(_readable(p) for p in parts):
            hint = " (use a point for decimals: 0.25)" if "," in body else ""
            raise ValueError(f"one number wanted, you typed {len(parts)}{hint}: "
                             f"type {example}") from None
        raise ValueError(f"{exc}: type {example}") from None


def _readable(text: str) -> bool:
    try:
        expression.read(text)
    except ValueError:
        return False
    return True


def read_answer(text: str, count: int = 1) -> tuple[Reading, ...]:
    """Read ``count`` numbers from what a student typed, with the precision each was typed with.

    Accepted for one number: ``0.25``, ``- 0.25`` or ``−0.25`` (any pasted dash), ``2.5e-1``,
    ``4.9×10^-3`` or ``4.9·10⁻³``, ``1/4``, ``-(1/4)``, ``2^16`` or ``2**16`` (see
    :func:`explorer.model.expression.read`), ``≈ 0.25``, ``18,432`` (groups of three digits: a
    thousands separator) and ``0,25`` (one comma between digits and no point: a decimal
    comma). For several numbers, any of ``(8, 14, 14)``, ``[8 14 14]``, ``8x14x14``,
    ``8 × 14 × 14``: there a comma always separates numbers.

    Parameters
    ----------
    text : str
        What was typed.
    count : int
        How many numbers the question wants.

    Returns
    -------
    tuple of Reading
        ``count`` finite numbers.

    Raises
    ------
    ValueError
        Saying what is wrong and what to type.
    """
    example = _example(count)
    body = expression.normalise(text).strip().lstrip("≈~=").strip()
    if count == 1:
        return (_read_one(body, example),)
    body = body.lower().strip("()[]{}").strip()
    if not body:
        raise ValueError(f"type {example}")
    tokens = [t for t in _LIST_SEPARATORS.split(body) if t]
    try:
        readings = tuple(expression.read(t) for t in tokens)
    except ValueError as exc:
        raise ValueError(f"{exc}: type {example}") from None
    if len(readings) != count:
        raise ValueError(f"{count} numbers wanted, you typed {len(readings)}: type {example}")
    return readings


def parse_answer(text: str, count: int = 1) -> tuple[float, ...]:
    """Read ``count`` numbers from what a student typed (the forms of :func:`read_answer`).

    Parameters
    ----------
    text : str
        What was typed.
    count : int
        How many numbers the question wants.

    Returns
    -------
    tuple of float
        ``count`` finite numbers.
    """
    return tuple(reading.value for reading in read_answer(text, count))


def _right_so_far(reading: Reading, answer: float, tolerance: float) -> bool:
    """Whether ``reading`` is ``answer`` rounded to the digits typed, fewer than asked.

    ``−0.0049`` and ``−4.9e-3`` are right so far for −0.004920821 asked to 5 decimals. A
    computed expression (``1/200``) has no digits to count, and a zero (``0``, ``-0.00``) has no
    significant digit: neither is a start on the answer.
    """
    place = reading.place
    if place is None or reading.value == 0 or place <= _place_of(tolerance):
        return False
    half_unit = 0.5 * 10.0 ** min(place, 308)
    return abs(reading.value - answer) <= half_unit * (1 + 1e-9)  # 1e-9: decimal ties


def grade(question: Question, text: str) -> Verdict:
    """Decide whether ``text`` answers ``question``, within its tolerance.

    Parameters
    ----------
    question : Question
    text : str
        What the student typed.

    Returns
    -------
    Verdict
        Unreadable text gives ``readable=False`` and a message saying what to type; it is never
        graded wrong. A number typed with fewer digits than the question asks for, and right
        to the digits it has, is ``right_so_far``: neither right nor wrong, with a message
        saying how many digits to give.
    """
    wanted = question.values()
    try:
        readings = read_answer(text, len(wanted))
    except ValueError as exc:
        return Verdict(False, False, str(exc)[:1].upper() + str(exc)[1:])
    typed = tuple(reading.value for reading in readings)
    correct = all(abs(t - a) <= question.tolerance for t, a in zip(typed, wanted, strict=True))
    if correct:
        return Verdict(True, True, f"Right: {question.answer_text()}", typed)
    asked = question.rounding_asked()
    if asked is not None and _right_so_far(readings[0], wanted[0], question.tolerance):
        return Verdict(False, True, f"Right so far: give {asked}", typed, right_so_far=True)
    return Verdict(False, True, f"Not quite: the answer is {question.answer_text()}", typed)


# -- formatting -----------------------------------------------------------------------------
def _decimals_of(tolerance: float) -> int:
    """Decimals that a tolerance of one unit in the last place stands for (0 for exact)."""
    if tolerance >= 1 or tolerance <= EXACT:
        return 0
    return max(0, min(12, -_place_of(tolerance)))


def _place_of(tolerance: float) -> int:
    """The power of ten of a tolerance of one unit in the last place: −3 for 0.001."""
    return round(math.log10(tolerance))


def _plain(value: float, decimals: int, grouped: bool = False) -> str:
    """A number as an answer is typed: ``decimals`` places, or a whole number.

    ``grouped`` writes thousands separators into whole numbers from 10,000 (:func:`parse_answer`
    reads them back for a one-number answer).
    """
    if decimals == 0 and float(value).is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}" if grouped and abs(value) >= 10_000 else str(int(value))
        return text.replace("-", "−")
    if decimals == 0:
        return f"{value:.6g}".replace("-", "−")
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # no "−0.000"
    return text.replace("-", "−")


def _n(value: float, digits: int = 4) -> str:
    """A number in the working: whole numbers as such, else ``digits`` significant digits."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = f"{value:.{digits}g}"
    return text.replace("-", "−")


def _exact(value: float) -> str:
    """A number exactly as the model uses it, never rounded for show.

    The shortest text that reads back to the same float: ``100000.5``, ``0.30000000000000004``,
    ``1e−7``.
    """
    value = float(value)
    if value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
    else:
        mantissa, _, exponent = repr(value).partition("e")
        text = f"{mantissa}e{int(exponent)}" if exponent else mantissa
    return text.replace("-", "−")


def _exact_vector(values: Sequence[float]) -> str:
    """Every entry, each as :func:`_exact` writes it: what a prompt asks about, in full."""
    return f"[{', '.join(_exact(v) for v in np.ravel(values))}]"


def _f(value: float, digits: int = 4) -> str:
    """A factor in a product: negative numbers in parentheses."""
    return _factor(_n(value, digits))


def _factor(text: str) -> str:
    """A number's text as a factor: in parentheses when it is negative."""
    return f"({text})" if text.startswith("−") else text


def _vector(values: Sequence[float], digits: int = 4, most: int = 12) -> str:
    values = [float(v) for v in np.ravel(values)]
    shown = ", ".join(_n(v, digits) for v in values[:most])
    return f"[{shown}{', …' if len(values) > most else ''}]"


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(number: int | str) -> str:
    return str(number).translate(_SUB)


_MASK64 = (1 << 64) - 1


def _pick(seed: int, count: int, salt: int) -> int:
    """A deterministic index in ``range(count)`` for ``seed`` (different salts vary apart)."""
    if count <= 1:
        return 0
    # A SplitMix64 step: a well-mixed hash of (seed, salt), ~100x cheaper than seeding a
    # numpy Generator on every slider tick.
    z = (abs(int(seed)) * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return (z ^ (z >> 31)) % count


def _rounded(value: float, exact: bool = False) -> tuple[float, str]:
    """Tolerance and the rounding to ask for: exact, 3 decimals, or 4 significant figures."""
    if exact and abs(value) < 1e6:
        return EXACT, "(a whole number)"
    if abs(value) >= 1e4:
        tolerance = 10.0 ** (math.floor(math.log10(abs(value))) - 3)
        return tolerance, "(to 4 significant figures)"
    return 10.0 ** -DECIMALS, f"(to {DECIMALS} decimals)"


def _whole(*arrays: object) -> bool:
    """Whether every number in ``arrays`` is a whole number (answers are then exact)."""
    return all(np.all(np.mod(np.asarray(a, dtype=np.float64), 1.0) == 0) for a in arrays)


def _sum_line(names: Sequence[str], kernel: Sequence[float], values: Sequence[float],
              products: Sequence[float], total: float) -> str:
    """``a·w + b·w = 1·2 + 3·0 = 2 + 0 = total``: the terms by name, by value and the products."""
    by_name = " + ".join(f"{n}·{_f(k)}" for n, k in zip(names, kernel, strict=True))
    by_value = " + ".join(f"{_f(v)}·{_f(k)}" for v, k in zip(values, kernel, strict=True))
    line = f"{by_name}<br>&nbsp;&nbsp;= {by_value}"
    if len(products) > 1:
        line += "<br>&nbsp;&nbsp;= " + " + ".join(_f(p) for p in products)
    return f"{line} = <b>{_n(total, 6)}</b>"


# -- loss (question 1) ----------------------------------------------------------------------
def loss_questions(a: float, y: float, seed: int = 0) -> list[Question]:
    """Slopes and losses of a sigmoid output at the pre-activation ``a`` for the target ``y``.

    Parameters
    ----------
    a : float
        Pre-activation (the loss panel's marker).
    y : float
        Target in [0, 1].
    seed : int
        Chooses the third question (the cross-entropy or the ratio of the slopes).

    Returns
    -------
    list of Question
        ∂L_CE/∂a, ∂L_MSE/∂a, and L_CE or the slope ratio 2f(1 − f).
    """
    f, one_minus_f = float(sigmoid(a)), float(sigmoid(-a))
    # The inputs exactly as used: a rounded a (100000.5 shown as 100000) would ask another question.
    a_text, y_text = _exact(a), _exact(y)
    at = f"at a = {a_text} with y = {y_text}"
    f_line = f"f = σ(a) = σ({a_text}) = {_n(f)}"

    ce_grad = float(losses.bce_grad(a, y))
    tol, rounding = _rounded(ce_grad)
    questions = [Question(
        f"What is ∂L<sub>CE</sub>/∂a {at}? {rounding}", ce_grad,
        f"{f_line}<br>∂L<sub>CE</sub>/∂a = f − y = {_n(f)} − {_factor(y_text)} = "
        f"<b>{_n(ce_grad)}</b>",
        tol, "ce_grad")]

    mse_grad = float(losses.mse_grad(a, y))
    # A saturated unit has a tiny MSE slope: ask for more decimals so it is not just "0".
    decimals = 5 if 1e-4 <= abs(mse_grad) < 1e-2 else DECIMALS
    tol, rounding = (10.0 ** -decimals, f"(to {decimals} decimals)") \
        if abs(mse_grad) < 1e4 else _rounded(mse_grad)
    questions.append(Question(
        f"What is ∂L<sub>MSE</sub>/∂a {at}? {rounding}", mse_grad,
        f"{f_line}, 1 − f = {_n(one_minus_f)}<br>∂L<sub>MSE</sub>/∂a = −2 (y − f) f (1 − f) = "
        f"−2 · ({y_text} − {_n(f)}) · {_n(f)} · {_n(one_minus_f)} = <b>{_n(mse_grad)}</b>",
        tol, "mse_grad"))

    if _pick(seed, 2, 1) == 0:
        ce = float(losses.bce(a, y))
        # log f = −softplus(−a) and log(1 − f) = −softplus(a): exact even where f rounds to 0 or 1.
        log_f, log_1mf = -float(softplus(-a)), -float(softplus(a))
        tol, rounding = _rounded(ce)
        questions.append(Question(
            f"What is the cross-entropy L<sub>CE</sub> {at}? {rounding}", ce,
            f"{f_line}, log f = {_n(log_f)}, log(1 − f) = {_n(log_1mf)}<br>"
            f"L<sub>CE</sub> = −[y log f + (1 − y) log(1 − f)] = −[{y_text} · {_f(log_f)} + "
            f"{_n(1 - y, 6)} · {_f(log_1mf)}] = <b>{_n(ce)}</b>",
            tol, "ce_loss"))
    else:
        ratio = float(losses.gradient_ratio(a))
        tol, rounding = _rounded(ratio)
        questions.append(Question(
            f"At a = {a_text}, the MSE slope is what fraction of the CE slope? {rounding}",
            ratio,
            f"−2 (y − f) f (1 − f) ÷ (f − y) = 2 f (1 − f), whatever y is<br>"
            f"{f_line}: 2 · {_n(f)} · {_n(one_minus_f)} = <b>{_n(ratio)}</b> "
            "(at most ½, at a = 0)",
            tol, "slope_ratio"))
    return questions


# -- softmax (question 2) -------------------------------------------------------------------
def softmax_questions(logits: Sequence[float], temperature: float = 1.0,
                      seed: int = 0) -> list[Question]:
    """A probability, a Jacobian entry and the sigmoid logit of the softmax of ``logits / T``.

    Parameters
    ----------
    logits : (K,) array_like
        The logits x, K >= 2.
    temperature : float
        T > 0; the softmax sees ``x / T``.
    seed : int
        Chooses the class i and the Jacobian entry (i, j).

    Returns
    -------
    list of Question
        p_i, J_ij = ∂p_i/∂x_j and z with p_1 = σ(z).
    """
    from explorer.model import softmax as sm

    x = np.asarray(logits, dtype=np.float64)
    u = sm.scale_logits(x, temperature)
    k = u.size
    p = sm.softmax(u)
    e = sm.stable_exponentials(u)
    jac = sm.softmax_jacobian(u)
    # x and T as given, not x/T: a quotient shown rounded would not be the one used.
    given = f"x = {_exact_vector(x)}"
    if temperature == 1.0:
        name = "x"
    else:
        name, given = "x/T", f"{given} and T = {_exact(float(temperature))}"

    i = _pick(seed, k, 1)
    tol, rounding = _rounded(float(p[i]))
    questions = [Question(
        f"For {given}, what is p{_sub(i + 1)} = S({name}){_sub(i + 1)}? {rounding}", float(p[i]),
        f"Subtract the largest logit first (S(x + c) = S(x)): "
        f"e<sup>{name} − max</sup> = {_vector(e)}, sum {_n(float(e.sum()))}<br>"
        f"p{_sub(i + 1)} = {_n(float(e[i]))} ÷ {_n(float(e.sum()))} = <b>{_n(float(p[i]))}</b>",
        tol, "probability")]

    row, col = _pick(seed, k, 2), _pick(seed, k, 3)
    value = float(jac[row, col])
    tol, rounding = _rounded(value)
    if row == col:
        rule = (f"p{_sub(row + 1)} (1 − p{_sub(row + 1)}) = {_n(float(p[row]))} · "
                f"(1 − {_n(float(p[row]))})")
    else:
        rule = (f"−p{_sub(row + 1)} p{_sub(col + 1)} = −{_n(float(p[row]))} · "
                f"{_n(float(p[col]))}")
    questions.append(Question(
        f"For {given}, what is the Jacobian entry J<sub>{row + 1},{col + 1}</sub> = "
        f"∂p{_sub(row + 1)}/∂u{_sub(col + 1)} (u = {name})? {rounding}", value,
        f"J = Diag(p) − p pᵀ, p = {_vector(p)}<br>J<sub>{row + 1},{col + 1}</sub> = {rule} = "
        f"<b>{_n(value)}</b>",
        tol, "jacobian"))

    z = sm.two_class_logit(u) if k == 2 else sm.first_vs_rest_logit(u)
    tol, rounding = _rounded(z)
    if k == 2:
        working = (f"p₁ = e<sup>u₁</sup> ÷ (e<sup>u₁</sup> + e<sup>u₂</sup>) = "
                   f"1 ÷ (1 + e<sup>−(u₁ − u₂)</sup>) = σ(u₁ − u₂)<br>"
                   f"z = {_n(float(u[0]), 6)} − {_f(float(u[1]), 6)} = <b>{_n(z)}</b>")
    else:
        working = (f"p₁ = 1 ÷ (1 + Σ<sub>j&gt;1</sub> e<sup>u<sub>j</sub> − u₁</sup>) = "
                   f"σ(u₁ − log Σ<sub>j&gt;1</sub> e<sup>u<sub>j</sub></sup>)<br>"
                   f"z = {_n(float(u[0]), 6)} − {_f(float(u[0]) - z)} = <b>{_n(z)}</b> "
                   f"(check: σ(z) = {_n(float(sigmoid(z)))} = p₁)")
    questions.append(Question(
        f"For {given}, p₁ = σ(z): what is z? {rounding}", z, working, tol, "sigmoid_logit"))
    return questions


# -- equivalence (question 3) ---------------------------------------------------------------
def _tilde(label: str) -> str:
    """``W¹[2,1]`` -> ``W̃¹[2,1]``: the tanh network's parameter."""
    return label[0] + "\u0303" + label[1:]


def equivalence_questions(net: TwoLayerNet, seed: int = 0) -> list[Question]:
    """Parameters of the tanh twin of the sigmoid network ``net``, and one output of ``net``.

    Parameters
    ----------
    net : TwoLayerNet
        The sigmoid network.
    seed : int
        Chooses which parameters are asked for.

    Returns
    -------
    list of Question
        A corrected output bias b̃², a halved parameter of W̃¹, b̃¹ or W̃², and y(0).
    """
    from explorer.model import equivalence

    twin = equivalence.sigmoid_to_tanh(net)
    labels = equivalence.parameter_labels(net)
    theta, theta_twin = equivalence.flatten(net), equivalence.flatten(twin)
    M, K, D = net.hidden_size, net.output_size, net.input_size

    k = _pick(seed, K, 1)
    b2 = float(twin.b2[k])
    row = net.W2[k]
    terms = " + ".join(_f(v) for v in row[:6]) + (" + …" if M > 6 else "")
    tol, rounding = _rounded(b2)
    questions = [Question(
        f"What is the output bias b̃²[{k + 1}] of the tanh network equivalent to this sigmoid "
        f"network? {rounding}", b2,
        f"σ(a) = ½ tanh(a/2) + ½, so each hidden unit adds ½ W²<sub>kj</sub> to output k:<br>"
        f"b̃²[{k + 1}] = b²[{k + 1}] + ½ Σ<sub>j</sub> W²[{k + 1},j] = {_n(float(net.b2[k]))} + "
        f"½ · ({terms}) = {_n(float(net.b2[k]))} + ½ · {_f(float(row.sum()))} = "
        f"<b>{_n(b2)}</b>",
        tol, "output_bias")]

    halved = [i for i, (_, group) in enumerate(labels) if group in ("W1", "b1", "W2")]
    index = halved[_pick(seed, len(halved), 2)]
    label = labels[index][0]
    value = float(theta_twin[index])
    tol, rounding = _rounded(value)
    questions.append(Question(
        f"What is {_tilde(label)} in the equivalent tanh network (it was {label} = "
        f"{_exact(theta[index])})? {rounding}", value,
        f"tanh(a/2) needs its argument halved, and ½ tanh scales the outgoing weights by ½:<br>"
        f"{_tilde(label)} = {label} ÷ 2 = {_factor(_exact(theta[index]))} ÷ 2 = <b>{_n(value)}</b>",
        tol, "halved"))

    origin = np.zeros((1, D))
    out = _pick(seed, K, 3)
    y0 = float(equivalence.forward(net, origin, "sigmoid")[0, out])
    y0_twin = float(equivalence.forward(twin, origin, "tanh")[0, out])
    hidden = sigmoid(net.b1)
    products = " + ".join(f"{_f(w)}·{_n(h)}" for w, h in zip(net.W2[out][:4], hidden[:4],
                                                              strict=True))
    tol, rounding = _rounded(y0)
    questions.append(Question(
        f"What does the sigmoid network output at x = 0 (output {out + 1})? {rounding}", y0,
        f"At x = 0 the hidden units are σ(b¹) = {_vector(hidden, most=6)}<br>"
        f"y{_sub(out + 1)} = b²[{out + 1}] + Σ<sub>j</sub> W²[{out + 1},j] σ(b¹<sub>j</sub>) = "
        f"{_n(float(net.b2[out]))} + {products}{' + …' if M > 4 else ''} = <b>{_n(y0)}</b><br>"
        f"The tanh twin gives b̃² + W̃² tanh(b̃¹) = {_n(y0_twin)}: the same function.",
        tol, "output_at_zero"))
    return questions


# -- convolution (questions 4.3 and 5) ------------------------------------------------------
def _operation(flip: bool) -> str:
    return "convolution (kernel flipped)" if flip else "cross-correlation (kernel not flipped)"


def _entry_question(x: np.ndarray, w: np.ndarray, mode: str, flip: bool, n: int,
                    kind: str, lead: str) -> Question:
    from explorer.model import conv

    step = conv.trace(x, w, mode, flip)[n]
    ask = f"{lead}what" if lead else "What"
    names = [f"x{_sub(p + 1)}" if 0 <= p < x.size else "0" for p in step.positions]
    tol, rounding = _rounded(step.total, exact=_whole(x, w))
    applied = "flip(w)" if flip else "w"
    return Question(
        f"{ask} is y{_sub(n + 1)} of the {mode} {_operation(flip)} of "
        f"x = {_exact_vector(x)} with w = {_exact_vector(w)}? {rounding}", step.total,
        f"The window of y{_sub(n + 1)} covers {', '.join(names)} (0 = padding); the kernel as "
        f"applied is {applied} = {_vector(step.kernel)}:<br>y{_sub(n + 1)} = "
        + _sum_line(names, step.kernel, step.values, step.products, step.total),
        tol, kind)


def convolution_questions(x: Sequence[float], w: Sequence[float], mode: str = "full",
                          flip: bool = True, seed: int = 0) -> list[Question]:
    """An output entry, the output length, and the same entry with the other flip setting.

    Parameters
    ----------
    x : (d,) array_like
        Input signal.
    w : (k,) array_like
        Kernel.
    mode : {"full", "valid", "same"}
    flip : bool
        True for convolution, False for cross-correlation.
    seed : int
        Chooses the output entry.

    Returns
    -------
    list of Question
    """
    from explorer.model import conv

    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    length = conv.output_length(x.size, w.size, mode)
    n = _pick(seed, length, 1)
    questions = [_entry_question(x, w, mode, flip, n, "conv_entry", "")]
    left, right = conv.pad_widths(x.size, w.size, mode)
    padded = conv.padded_length(x.size, w.size, mode)
    questions.append(Question(
        f"How many entries does the {mode} convolution of an input of length {x.size} with a "
        f"kernel of length {w.size} have? (a whole number)", float(length),
        f"“{mode}” pads {left} zero{'s' if left != 1 else ''} before and {right} after: the "
        f"padded input has {x.size} + {left} + {right} = {padded} entries.<br>A kernel of "
        f"{w.size} fits in {padded} − {w.size} + 1 = <b>{length}</b> places.",
        EXACT, "output_length"))
    other = _pick(seed, length, 2)
    questions.append(_entry_question(
        x, w, mode, not flip, other, "other_flip",
        "The other way round: " if flip else "With the kernel flipped instead: "))
    return questions


def convolution2d_questions(x: object, w: object, stride: int = 1, padding: int = 0,
                            dilation: int = 1, flip: bool = False,
                            seed: int = 0) -> list[Question]:
    """An entry and the shape of a 2-D convolution (CNN layer, one channel).

    Parameters
    ----------
    x : (H, W) array_like
        Input image.
    w : (kh, kw) array_like
        Kernel.
    stride, padding, dilation : int
        As in ``conv.convolve2d``.
    flip : bool
        Whether the kernel is flipped (CNN layers do not flip).
    seed : int
        Chooses the output entry.

    Returns
    -------
    list of Question
    """
    from explorer.model import conv

    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    steps = conv.trace2d(x, w, stride, padding, dilation, flip)
    step = steps[_pick(seed, len(steps), 1)]
    i, j = step.output
    tol, rounding = _rounded(step.total, exact=_whole(x, w))
    terms = [(v, k, p) for v, k, p in zip(step.values.ravel(), step.kernel.ravel(),
                                          step.products.ravel(), strict=True)]
    nonzero = [(v, k, p) for v, k, p in terms if v != 0 and k != 0]
    shown = nonzero if nonzero else terms[:1]
    settings = f"stride {stride}, padding {padding}, dilation {dilation}"
    questions = [Question(
        f"What is output entry ({i + 1}, {j + 1}) of the 2-D {_operation(flip)} shown "
        f"({settings})? {rounding}", step.total,
        f"The window sits on rows {step.rows[0] + 1}…{step.rows[-1] + 1} and columns "
        f"{step.cols[0] + 1}…{step.cols[-1] + 1} of the padded input. Summing value × kernel "
        f"(terms with a 0 left out):<br>"
        + " + ".join(f"{_f(v)}·{_f(k)}" for v, k, _ in shown)
        + f" = <b>{_n(step.total, 6)}</b>",
        tol, "conv2d_entry")]
    shape = conv.output_shape2d(x.shape, w.shape, stride, padding, dilation)
    lines = []
    for axis, size, k, out in (("rows", x.shape[0], w.shape[0], shape[0]),
                               ("columns", x.shape[1], w.shape[1], shape[1])):
        span = dilation * (k - 1) + 1
        lines.append(f"{axis}: ⌊({size} + 2·{padding} − {span}) / {stride}⌋ + 1 = {out}")
    questions.append(Question(
        f"What is the shape (rows, columns) of the output for a {x.shape[0]} × {x.shape[1]} "
        f"input and a {w.shape[0]} × {w.shape[1]} kernel ({settings})? Type e.g. 3x3",
        tuple(float(v) for v in shape),
        "A dilated kernel spans d·(k − 1) + 1 pixels; windows start every stride pixels.<br>"
        + "<br>".join(lines) + f"<br>Output: <b>{shape[0]} × {shape[1]}</b>",
        EXACT, "conv2d_shape"))
    return questions



def transposed_questions(g: object, w: object, stride: int = 1, padding: int = 0,
                         dilation: int = 1, output_padding: int = 0,
                         seed: int = 0) -> list[Question]:
    """An entry and the shape of a 2-D transposed convolution (one channel).

    Parameters
    ----------
    g : (H, W) array_like
        Input (the upstream gradient of a forward convolution).
    w : (kh, kw) array_like
        Kernel.
    stride, padding, dilation, output_padding : int
        As in ``conv.conv_transpose2d``.
    seed : int
        Chooses the output entry.

    Returns
    -------
    list of Question
    """
    from explorer.model import conv

    g, w = np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64)
    settings = (stride, padding, dilation, output_padding)
    out = conv.conv_transpose2d(g, w, *settings)
    y, z = divmod(_pick(seed, out.size, 3), out.shape[1])
    tol, rounding = _rounded(out[y, z], exact=_whole(g, w))
    # The stamps landing on (y, z): i·s + a·d − p = y and j·s + b·d − p = z.
    terms = [(g[i, j], w[a, b], i, j, a, b)
             for i in range(g.shape[0]) for a in range(w.shape[0])
             if i * stride + a * dilation - padding == y
             for j in range(g.shape[1]) for b in range(w.shape[1])
             if j * stride + b * dilation - padding == z]
    shown = [t for t in terms if t[0] != 0 and t[1] != 0] or terms[:1]
    listed = " + ".join(f"{_f(v)}·{_f(k)}" for v, k, *_ in shown) if shown else "no stamp"
    named = ", ".join(f"g({i + 1},{j + 1}) with w({a + 1},{b + 1})" for _, _, i, j, a, b in shown)
    described = f"Stamps landing there: {named}.<br>" if shown else ""
    text = (f"stride {stride}, padding {padding}, dilation {dilation}, "
            f"output_padding {output_padding}")
    questions = [Question(
        f"What is output entry ({y + 1}, {z + 1}) of the transposed convolution shown "
        f"({text})? {rounding}", float(out[y, z]),
        f"Entry g(i, j) stamps g(i, j)·w with its top-left corner on output row "
        f"(i − 1)·{stride} + 1 − {padding} and column (j − 1)·{stride} + 1 − {padding} "
        f"(taps {dilation} apart). {described}"
        f"Adding them (terms with a 0 left out): {listed} = <b>{_n(out[y, z], 6)}</b>",
        tol, "transposed_entry")]
    shape = out.shape
    lines = [f"{axis}: ({size} − 1)·{stride} − 2·{padding} + {dilation}·({k} − 1) + "
             f"{output_padding} + 1 = {o}"
             for axis, size, k, o in (("rows", g.shape[0], w.shape[0], shape[0]),
                                      ("columns", g.shape[1], w.shape[1], shape[1]))]
    questions.append(Question(
        f"What is the shape (rows, columns) of the transposed convolution's output for a "
        f"{g.shape[0]} × {g.shape[1]} input and a {w.shape[0]} × {w.shape[1]} kernel ({text})? "
        "Type e.g. 5x5",
        tuple(float(v) for v in shape),
        "The stamps start stride cells apart, a dilated kernel spans d·(k − 1) + 1 cells, "
        "padding cuts p from each side and output_padding adds cells at the end.<br>"
        + "<br>".join(lines) + f"<br>Output: <b>{shape[0]} × {shape[1]}</b>",
        EXACT, "transposed_shape"))
    return questions

# -- CNN (questions 4.1 and 4.2) ------------------------------------------------------------
def cnn_questions(input_shape: tuple[int, int, int], layers: Sequence[object],
                  seed: int = 0) -> list[Question]:
    """Output shape, parameter count and output size of layers of a CNN stack.

    Only the valid part of the stack is asked about (the layers above the first bad one).

    Parameters
    ----------
    input_shape : (C, H, W) tuple of int
    layers : sequence of Conv2d, MaxPool2d or ReLU
    seed : int
        Chooses the layers asked about.

    Returns
    -------
    list of Question
        Empty when no layer is valid.
    """
    from explorer.model import cnn

    check = cnn.infer_shapes_partial(input_shape, layers)
    if check.error is not None and check.failing_index is None:
        return []
    valid = list(layers)[: len(check.shapes)]
    if not valid:
        return []
    details = cnn.layer_details(input_shape, valid)

    d = details[_pick(seed, len(details), 1)]
    c_in, h_in, w_in = d["input_shape"]
    c_out, h_out, w_out = d["output_shape"]
    if d["kind"] == "relu":
        how = "ReLU works elementwise: the shape does not change."
    else:
        channels = (f"{c_out} kernels give {c_out} channels" if d["kind"] == "conv"
                    else f"pooling keeps the {c_out} channels")
        how = (f"channels: {channels}<br>height: {d['formula_h']}<br>"
               f"width: {d['formula_w']}")
    questions = [Question(
        f"What is the output shape (C, H, W) of layer {d['index'] + 1} ({d['label']}), whose "
        f"input is {c_in} × {h_in} × {w_in}? Type e.g. 8x14x14",
        (float(c_out), float(h_out), float(w_out)),
        f"{how}<br>Output: <b>{c_out} × {h_out} × {w_out}</b>", EXACT, "output_shape")]

    convs = [d for d in details if d["kind"] == "conv"]
    if convs:
        d = convs[_pick(seed, len(convs), 2)]
        layer = valid[d["index"]]
        k = layer.kernel_size
        c_in, c_out = d["input_shape"][0], d["output_shape"][0]
        bias = (f" + {d['biases']:,} biases = <b>{d['params']:,}</b>" if d["biases"]
                else " (no biases)")
        questions.append(Question(
            f"How many parameters does layer {d['index'] + 1} ({d['label']}) have, on a "
            f"{c_in}-channel input? (a whole number)", float(d["params"]),
            f"Each of the {c_out} kernels has one {k} × {k} slice per input channel:<br>"
            f"weights = {c_out} × {c_in} × {k} × {k} = "
            + (f"<b>{d['weights']:,}</b>" if not d["biases"] else f"{d['weights']:,}") + bias,
            EXACT, "parameters"))

    d = details[_pick(seed, len(details), 3)]
    c, h, w = d["output_shape"]
    questions.append(Question(
        f"How many numbers does the output of layer {d['index'] + 1} ({d['label']}) hold? "
        "(a whole number)", float(d["activations"]),
        f"Its output is {c} × {h} × {w}: {c} × {h} × {w} = <b>{d['activations']:,}</b>",
        EXACT, "activations"))
    return questions


# -- backprop through convolution (question 5) ----------------------------------------------
def backprop_questions(x: Sequence[float], w1: Sequence[float], w2: Sequence[float],
                       grad_a2: Sequence[float], kind: str = "valid",
                       seed: int = 0) -> list[Question]:
    """|a²|, an entry of ∇h¹L and an entry of the Jacobian ∂a²/∂h¹ of the two-layer chain.

    Parameters
    ----------
    x : (d,) array_like
        Input.
    w1, w2 : (k1,), (k2,) array_like
        The two kernels.
    grad_a2 : (|a2|,) array_like
        The upstream gradient g = ∇a²L.
    kind : {"valid", "full"}
        Convolution of both layers.
    seed : int
        Chooses the entries asked about.

    Returns
    -------
    list of Question
    """
    from explorer.model import backprop as bp

    x, w1, w2 = (np.asarray(v, dtype=np.float64) for v in (x, w1, w2))
    g = np.asarray(grad_a2, dtype=np.float64)
    d, k1, k2 = x.size, w1.size, w2.size
    shapes = bp.chain_shapes(d, k1, k2, kind)
    len_a1, len_a2 = shapes["len_a1"], shapes["len_a2"]
    if kind == "valid":
        working = (f"A valid convolution drops k − 1 entries (5.1):<br>"
                   f"|a¹| = d − k₁ + 1 = {d} − {k1} + 1 = {len_a1}<br>"
                   f"|a²| = |a¹| − k₂ + 1 = {len_a1} − {k2} + 1 = <b>{len_a2}</b>")
    else:
        working = (f"A full convolution adds k − 1 entries (5.4):<br>"
                   f"|a¹| = d + k₁ − 1 = {d} + {k1} − 1 = {len_a1}<br>"
                   f"|a²| = |a¹| + k₂ − 1 = {len_a1} + {k2} − 1 = <b>{len_a2}</b> "
                   "(the homework's d + k₁ + k₂ − 1 is one too many)")
    questions = [Question(
        f"In the {kind} chain with d = {d}, k₁ = {k1}, k₂ = {k2}, how many entries does a² "
        "have? (a whole number)", float(len_a2), working, EXACT, "len_a2")]

    grad = bp.grad_h1(g, w2, kind)
    steps = bp.grad_h1_trace(g, w2, kind)
    n = _pick(seed, grad.size, 1)
    step = steps[n]
    names = [f"g{_sub(p + 1)}" if 0 <= p < g.size else "0" for p in step.positions]
    tol, rounding = _rounded(float(grad[n]), exact=_whole(g, w2))
    mode = bp.BACKWARD_MODE[kind]
    questions.append(Question(
        f"With g = ∇a²L = {_exact_vector(g)} and w² = {_exact_vector(w2)}, what is entry "
        f"{n + 1} of ∇h¹L? {rounding}", float(grad[n]),
        f"∇h¹L = g {'∗̃' if mode == 'full' else '∗'} flip(w²) ({mode} convolution), "
        f"flip(w²) = {_vector(step.kernel)}:<br>(∇h¹L){_sub(n + 1)} = "
        + _sum_line(names, step.kernel, step.values, step.products, float(grad[n])),
        tol, "grad_h1"))

    jac = bp.jacobian_a2_h1(w2, len_a1, kind)
    taps = bp.jacobian_taps(k2, len_a1, kind)
    band = np.argwhere(taps >= 0)
    outside = np.argwhere(taps < 0)
    if outside.size and _pick(seed, 4, 4) == 0:
        i, m = outside[_pick(seed, len(outside), 5)]
    else:
        i, m = band[_pick(seed, len(band), 5)]
    value = float(jac[i, m])
    tol, rounding = _rounded(value, exact=_whole(w2))
    tap = int(taps[i, m])
    if tap >= 0:
        why = (f"h¹{_sub(m + 1)} meets tap {tap + 1} of w² in a²{_sub(i + 1)}, so "
               f"∂a²{_sub(i + 1)}/∂h¹{_sub(m + 1)} = w²{_sub(tap + 1)} = <b>{_n(value)}</b>")
    else:
        why = (f"h¹{_sub(m + 1)} is not under the kernel when a²{_sub(i + 1)} is computed, so "
               f"the entry is <b>0</b> (the Jacobian is banded)")
    first = ("a²ᵢ = Σⱼ h¹<sub>i+j−1</sub> w²ⱼ (5.2)" if kind == "valid"
             else "a²ᵢ = Σⱼ h¹<sub>i+j−k₂</sub> w²ⱼ (5.5)")
    questions.append(Question(
        f"With w² = {_exact_vector(w2)} ({kind} chain), what is the Jacobian entry "
        f"∂a²{_sub(i + 1)}/∂h¹{_sub(m + 1)}? {rounding}", value,
        f"{first}<br>{why}", tol, "jacobian"))
    return questions
