import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from explorer.model import backprop as bp
from explorer.model import cnn, conv, equivalence, quiz
from explorer.model.quiz import EXACT, Question, grade, parse_answer

ASK = "type a number such as 0.25"
moderate = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
tolerances = st.sampled_from([1e-1, 1e-3, 1e-5])


def typed_forms(value: float, tolerance: float) -> list[str]:
    """The exact answer written the ways a student might type it."""
    decimals = max(0, round(-np.log10(tolerance)))
    rounded = f"{value:.{decimals}f}"
    forms = [repr(value), str(value), f"{value:.17g}", f"{value:.17e}", rounded,
             f"  {rounded}  ", f"≈ {rounded}", rounded.replace("-", "−"), f"({rounded})"]
    if not rounded.startswith("-"):
        forms.append(f"+{rounded}")
    return forms


@given(moderate, tolerances)
def test_the_answer_in_any_reasonable_format_is_right(value, tolerance):
    question = Question("?", value, "", tolerance)
    for text in typed_forms(value, tolerance):
        verdict = grade(question, text)
        assert verdict.readable and verdict.correct, text


@given(moderate, tolerances, st.sampled_from([1, -1]))
def test_ten_tolerances_away_is_wrong(value, tolerance, sign):
    question = Question("?", value, "", tolerance)
    off = value + sign * 10 * tolerance
    asked = max(0, round(-np.log10(tolerance)))
    for text in (repr(off), f"{off:.{asked}f}"):
        verdict = grade(question, text)
        assert verdict.readable and not verdict.correct, text
        given = len(text.split(".")[1]) if "." in text and "e" not in text else asked
        if given >= asked:
            assert "Not quite" in verdict.message
        else:  # "0.8" for 0.79 with 3 decimals asked: a right start, and the grader says so
            assert verdict.message.startswith(("Not quite", "Right so far"))


@given(st.lists(st.integers(1, 100_000), min_size=3, max_size=3))
def test_a_shape_in_any_reasonable_format_is_right(shape):
    question = Question("?", tuple(float(v) for v in shape), "", EXACT)
    a, b, c = shape
    for text in (f"({a}, {b}, {c})", f"{a}x{b}x{c}", f"{a} × {b} × {c}", f"[{a} {b} {c}]",
                 f"{a},{b},{c}", f"{a}X{b}X{c}", f"{a}*{b}*{c}", f" {a}; {b}; {c} "):
        assert grade(question, text).correct, text
    assert not grade(question, f"{a}x{b}x{c + 1}").correct
    assert not grade(question, f"{a}x{b}").readable


@given(st.integers(-10**9, 10**9))
def test_a_whole_number_with_or_without_thousands_separators_is_right(value):
    question = Question("?", float(value), "", EXACT)
    for text in (str(value), f"{value:,}", f"{value:_}", f"{value}.0", f"{value:.3e}"
                 if abs(value) < 1000 else str(value)):
        assert grade(question, text).correct, text
    assert not grade(question, str(value + 1)).correct


def test_fractions_and_unicode_minus_are_read():
    assert parse_answer("1/4") == (0.25,)
    assert parse_answer("−1 / 8") == (-0.125,)
    assert parse_answer("2.5e-1") == (0.25,)
    assert parse_answer("(8, 14, 14)", 3) == (8.0, 14.0, 14.0)
    assert parse_answer("8x14x14", 3) == (8.0, 14.0, 14.0)


@pytest.mark.parametrize("text", ["", "   ", "abc", "twelve", "1..2", "nan", "inf", "1e999",
                                  "0x1f", "1/0", "--3", "()", "1 2", "1,5,2"])
def test_unreadable_text_says_what_to_type_and_is_not_graded_wrong(text):
    verdict = grade(Question("?", 0.25, ""), text)
    assert not verdict.readable and not verdict.correct
    assert ASK in verdict.message.lower()
    assert verdict.typed is None


def test_a_decimal_comma_is_read_and_several_commas_get_a_hint():
    assert grade(Question("?", 0.25, ""), "0,25").correct
    assert "use a point for decimals" in grade(Question("?", 0.25, ""), "0,2,5").message


def test_a_shape_with_the_wrong_count_names_both_counts():
    verdict = grade(Question("?", (8.0, 14.0, 14.0), "", EXACT), "8x14")
    assert not verdict.readable
    assert "3 numbers wanted, you typed 2" in verdict.message
    assert "(8, 14, 14)" in verdict.message


def test_answer_text_rounds_as_the_prompt_asks():
    assert Question("?", -0.99752737, "").answer_text() == "−0.998"
    assert Question("?", -0.0000001, "").answer_text() == "0.000"
    assert Question("?", 18432.0, "", EXACT).answer_text() == "18,432"
    assert Question("?", (32.0, 64.0, 64.0), "", EXACT).answer_text() == "(32, 64, 64)"
    assert Question("?", 0.1234567, "", 1e-5).answer_text() == "0.12346"


# -- the questions each panel asks ------------------------------------------------------------
def sigmoid_ref(a):
    return 1.0 / (1.0 + np.exp(-a))


def last_bold_number(working: str) -> tuple[float, ...]:
    bold = re.findall(r"<b>([^<]*)</b>", working)[-1]
    return parse_answer(bold.replace("×", "x"), len(re.split(r"\s*×\s*", bold)))


def all_builders(seed):
    chain = bp.seeded_chain(bp.SEED_D, bp.SEED_K1, bp.SEED_K2, "valid", bp.SEED)
    return {
        "loss": quiz.loss_questions(-6.0, 1.0, seed),
        "loss soft": quiz.loss_questions(0.7, 0.3, seed),
        "softmax": quiz.softmax_questions([2.0, 1.0, 0.1, -1.0], 1.0, seed),
        "softmax T": quiz.softmax_questions([3.0, -1.0], 2.0, seed),
        "equivalence": quiz.equivalence_questions(equivalence.seed_network(), seed),
        "convolution": quiz.convolution_questions(conv.SEED_SIGNAL, conv.SEED_KERNEL, "full",
                                                  True, seed),
        "convolution same": quiz.convolution_questions([1.5, 2, -3, 4, 0.5], [2, 0, 1, 1],
                                                       "same", False, seed),
        "convolution 2d": quiz.convolution2d_questions(conv.SEED_GRID, conv.SEED_KERNEL2D, 2, 1,
                                                       1, False, seed),
        "cnn": quiz.cnn_questions(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK, seed),
        "backprop": quiz.backprop_questions(chain["x"], chain["w1"], chain["w2"],
                                            chain["grad_a2"], "valid", seed),
        "backprop full": quiz.backprop_questions(chain["x"], chain["w1"], chain["w2"],
                                                 np.arange(1.0, 13.0), "full", seed),
    }


@pytest.mark.parametrize("seed", range(6))
def test_every_question_ends_its_working_on_its_answer(seed):
    for name, questions in all_builders(seed).items():
        assert 2 <= len(questions) <= 4, name
        assert len({q.kind for q in questions}) == len(questions), name
        for q in questions:
            shown = last_bold_number(q.working)
            for s, a in zip(shown, q.values(), strict=True):
                # The working shows 4 significant digits.
                assert s == pytest.approx(a, rel=1e-3, abs=q.tolerance), (name, q.kind)
            assert grade(q, q.answer_text()).correct, (name, q.kind, q.answer_text())
            assert "decimals" in q.prompt or "whole number" in q.prompt or "e.g." in q.prompt \
                or "significant" in q.prompt, q.prompt


def test_loss_answers_match_the_formulas():
    ce, mse, _ = quiz.loss_questions(-6.0, 1.0, 0)
    f = sigmoid_ref(-6.0)
    assert ce.answer == pytest.approx(f - 1.0, rel=1e-12)
    assert mse.answer == pytest.approx(-2 * (1 - f) * f * (1 - f), rel=1e-12)
    assert "−6" in ce.prompt and "y = 1" in ce.prompt
    # A saturated MSE slope is asked to 5 decimals, so "0" is not the answer.
    assert "5 decimals" in mse.prompt and not grade(mse, "0").correct


def test_softmax_answers_match_numpy():
    x = np.array([2.0, 1.0, 0.1, -1.0])
    p = np.exp(x) / np.exp(x).sum()
    for seed in range(8):
        prob, jac, logit = quiz.softmax_questions(x, 1.0, seed)
        i = int(re.search(r"p(\d+) = S", prob.prompt.translate(DIGITS)).group(1)) - 1
        assert prob.answer == pytest.approx(p[i], rel=1e-12)
        r, c = map(int, re.search(r"J<sub>(\d+),(\d+)</sub>", jac.prompt).groups())
        expected = p[r - 1] * ((r == c) - p[c - 1])
        assert jac.answer == pytest.approx(expected, rel=1e-10, abs=1e-15)
        assert logit.answer == pytest.approx(np.log(p[0] / (1 - p[0])), rel=1e-10)


def test_equivalence_bias_is_the_corrected_one():
    net = equivalence.seed_network()
    for seed in range(6):
        bias = quiz.equivalence_questions(net, seed)[0]
        k = int(re.search(r"b̃²\[(\d+)\]", bias.prompt).group(1)) - 1
        assert bias.answer == pytest.approx(net.b2[k] + 0.5 * net.W2[k].sum(), rel=1e-12)


def test_convolution_entries_match_numpy_and_the_seed_varies_them():
    x, w = conv.SEED_SIGNAL, conv.SEED_KERNEL
    prompts = set()
    for seed in range(10):
        entry, length, other = quiz.convolution_questions(x, w, "full", True, seed)
        n = int(re.search(r"y(\d+) of", entry.prompt.translate(DIGITS)).group(1)) - 1
        assert entry.answer == np.convolve(x, w, "full")[n]
        m = int(re.search(r"y(\d+) of", other.prompt.translate(DIGITS)).group(1)) - 1
        assert other.answer == np.correlate(x, w, "full")[m]
        assert length.answer == 6
        prompts.add(entry.prompt)
    assert len(prompts) >= 3


def test_cnn_questions_of_question_4():
    counts = {}
    for seed in range(12):
        shape, params, size = quiz.cnn_questions(cnn.SEED_INPUT_SHAPE, cnn.SEED_NETWORK, seed)
        counts[re.search(r"layer (\d)", params.prompt).group(1)] = params.answer
        assert shape.answer in {(32.0, 64.0, 64.0), (32.0, 32.0, 32.0), (64.0, 32.0, 32.0)}
        assert size.answer in {131_072, 32_768, 65_536}
    # Question 4.2's count for the last layer, and the first layer's 32 x 3 x 8 x 8.
    assert counts == {"1": 6_144, "3": 18_432}
    # Only the valid layers are asked about; no valid layer, no question.
    bad = (cnn.Conv2d(8, 300),)
    assert quiz.cnn_questions((3, 32, 32), bad, 0) == []


def test_backprop_length_follows_the_errata():
    chain = bp.seeded_chain(8, 3, 3, "valid", bp.SEED)
    assert quiz.backprop_questions(chain["x"], chain["w1"], chain["w2"], chain["grad_a2"],
                                   "valid", 0)[0].answer == 8 - 3 - 3 + 2
    full = quiz.backprop_questions(chain["x"], chain["w1"], chain["w2"], np.ones(12), "full", 0)
    assert full[0].answer == 8 + 3 + 3 - 2


DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


# -- issue 14: a right answer with fewer digits than asked is "right so far" --------------------
HOMEWORK_MSE = quiz.loss_questions(-6.0, 1.0, 0)[1]  # ∂L_MSE/∂a = −0.004920821…, to 5 decimals


@pytest.mark.parametrize("text", ["-0.0049", "−0.0049", "-4.9e-3", "-49e-4", "-0.005",
                                  "- 0.0049", "-0.49e-2"])
def test_the_mse_slope_with_fewer_decimals_is_right_so_far(text):
    assert HOMEWORK_MSE.answer == pytest.approx(-0.004920821, abs=1e-9)
    assert "(to 5 decimals)" in HOMEWORK_MSE.prompt
    verdict = grade(HOMEWORK_MSE, text)
    assert verdict.message == "Right so far: give 5 decimals"
    assert verdict.readable and verdict.right_so_far
    assert not verdict.correct and not verdict.wrong
    assert verdict.typed == pytest.approx((float(text.replace(" ", "").replace("−", "-")),))


@pytest.mark.parametrize("text", [
    "0", "-0", "0.00", "−0.000",  # no significant digit: not a start on any small answer
    "-0.004",    # −0.00492 rounds to −0.005 at 3 decimals
    "-0.0048",   # and to −0.0049 at 4
    "-0.00491",  # 5 decimals as asked, but wrong
    "0.0049",    # the sign is part of the answer
    "-1/200",    # a fraction is exact: −0.005, not −0.00492
])
def test_not_right_so_far_is_not_quite(text):
    verdict = grade(HOMEWORK_MSE, text)
    assert verdict.readable and not verdict.correct and not verdict.right_so_far
    assert verdict.wrong and verdict.message == "Not quite: the answer is −0.00492"


def test_enough_decimals_is_right_not_right_so_far():
    for text in ("-0.00492", "-0.004921", "-4.92e-3", "-0.0049208"):
        verdict = grade(HOMEWORK_MSE, text)
        assert verdict.correct and not verdict.right_so_far, text
        assert verdict.message == "Right: −0.00492"


@given(moderate, st.sampled_from([3, 5]), st.integers(0, 4), st.booleans())
def test_an_answer_rounded_to_fewer_decimals_is_right_or_right_so_far(value, decimals, fewer,
                                                                      scientific):
    question = Question("?", value, "", 10.0 ** -decimals)
    typed_decimals = decimals - 1 - fewer % decimals
    text = f"{value:.{typed_decimals}f}"
    if scientific and float(text) != 0:
        text = f"{Decimal(text):e}"  # the same digits in scientific notation: 0.0049 as 4.9e-3
    verdict = grade(question, text)
    if float(text) == 0:
        assert verdict.correct or verdict.wrong, text
    elif verdict.correct:
        assert verdict.message.startswith("Right: ")
    else:
        assert verdict.right_so_far and not verdict.wrong, text
        assert verdict.message == f"Right so far: give {decimals} decimals"


@given(moderate, st.sampled_from([3, 5]), st.integers(0, 2))
def test_fewer_decimals_that_round_wrong_are_not_quite(value, decimals, typed_decimals):
    question = Question("?", value, "", 10.0 ** -decimals)
    unit = 10.0 ** -typed_decimals
    off = round(value, typed_decimals) + unit  # a neighbour of the right rounding
    assume(abs(off - value) > 0.5001 * unit)
    verdict = grade(question, f"{off:.{typed_decimals}f}")
    assert verdict.wrong and not verdict.right_so_far


def test_fewer_significant_figures_than_asked_is_right_so_far():
    big = Question("?", 123456.7, "", 100.0)  # asked to 4 significant figures
    assert grade(big, "1.235e5").correct
    for text in ("1.23e5", "1.2×10^5", "1.2e5"):
        verdict = grade(big, text)
        assert verdict.right_so_far, text
        assert verdict.message == "Right so far: give 4 significant figures"
    assert grade(big, "1.24e5").wrong
    # Whole numbers are exact: no "right so far" for 18,000 when 18,432 is asked.
    assert grade(Question("?", 18432.0, "", EXACT), "1.8e4").wrong


@pytest.mark.parametrize("seed", range(4))
def test_every_builder_says_right_so_far_for_a_right_answer_with_fewer_digits(seed):
    seen = 0
    for name, questions in all_builders(seed).items():
        for q in questions:
            if q.is_list() or q.tolerance <= EXACT:
                continue
            a = q.values()[0]
            asked = round(-np.log10(q.tolerance))
            for place in range(-asked + 1, -asked + 4):  # 1 to 3 digits fewer than asked
                if place <= 0:
                    text = f"{a:.{-place}f}"
                else:  # asked for significant figures: give fewer, in scientific notation
                    digits = int(np.floor(np.log10(abs(a)))) - place
                    if digits < 0:
                        continue
                    text = f"{a:.{digits}e}"
                verdict = grade(q, text)
                if float(text) == 0 or verdict.correct:
                    continue
                seen += 1
                assert verdict.right_so_far, (name, q.kind, text, q.answer)
                assert "Right so far: give " in verdict.message
    assert seen >= 5


# -- issue 15: the prompt shows the numbers exactly as they are used --------------------------
NUMBER = r"[−-]?(?:\d+\.?\d*|\.\d+)(?:e[−-]?\d+)?"


def as_float(text: str) -> float:
    return float(text.replace("−", "-"))


def shown_number(prompt: str, name: str) -> float:
    match = re.search(rf"(?<![\w/]){re.escape(name)} = ({NUMBER})", prompt)
    assert match, (name, prompt)
    return as_float(match.group(1))


def shown_vector(prompt: str, name: str) -> list[float]:
    match = re.search(rf"(?<![\w/]){re.escape(name)} = \[([^\]]*)\]", prompt)
    assert match, (name, prompt)
    assert "…" not in match.group(1), prompt
    return [as_float(t) for t in match.group(1).split(", ")]


def test_the_prompt_shows_the_logits_as_they_are_used():
    prob = quiz.softmax_questions([100000.5, 100000.0], 1.0, 0)[0]
    assert "For x = [100000.5, 100000], what is p" in prob.prompt
    assert shown_vector(prob.prompt, "x") == [100000.5, 100000.0]


values = st.floats(-1e6, 1e6, allow_nan=False)


@given(values, st.floats(0, 1), st.integers(0, 20))
def test_loss_prompts_show_a_and_y_as_used(a, y, seed):
    for q in quiz.loss_questions(a, y, seed):
        assert shown_number(q.prompt, "a") == a, q.prompt
        if q.kind != "slope_ratio":
            assert shown_number(q.prompt, "y") == y, q.prompt


@given(st.lists(values, min_size=2, max_size=6), st.floats(1e-3, 1e3), st.booleans(),
       st.integers(0, 20))
def test_softmax_prompts_show_the_logits_and_temperature_as_used(x, temperature, unit, seed):
    temperature = 1.0 if unit else temperature
    for q in quiz.softmax_questions(x, temperature, seed):
        assert shown_vector(q.prompt, "x") == x, q.prompt
        if temperature != 1.0:
            assert shown_number(q.prompt, "T") == temperature, q.prompt


@st.composite
def networks(draw):
    d, m, k = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))

    def array(*shape):
        return np.array(draw(st.lists(values, min_size=int(np.prod(shape)),
                                      max_size=int(np.prod(shape))))).reshape(shape)

    return equivalence.TwoLayerNet(array(m, d), array(m), array(k, m), array(k))


@given(networks(), st.integers(0, 20))
def test_equivalence_prompts_show_the_parameter_as_used(net, seed):
    labels = [label for label, _ in equivalence.parameter_labels(net)]
    theta = equivalence.flatten(net)
    halved = next(q for q in quiz.equivalence_questions(net, seed) if q.kind == "halved")
    label = re.search(r"it was (\S+) = ", halved.prompt).group(1)
    assert shown_number(halved.prompt, label) == theta[labels.index(label)], halved.prompt


@given(st.lists(values, min_size=1, max_size=16), st.lists(values, min_size=1, max_size=8),
       st.sampled_from(["full", "same", "valid"]), st.booleans(), st.integers(0, 20))
def test_convolution_prompts_show_x_and_w_as_used(x, w, mode, flip, seed):
    assume(mode != "valid" or len(w) <= len(x))
    for q in quiz.convolution_questions(x, w, mode, flip, seed):
        if q.kind == "output_length":
            assert f"input of length {len(x)} with a kernel of length {len(w)}" in q.prompt
            continue
        assert shown_vector(q.prompt, "x") == x and shown_vector(q.prompt, "w") == w, q.prompt


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.integers(0, 20))
def test_convolution_2d_and_cnn_prompts_hold_only_their_whole_numbers(h, w, kh, kw, stride,
                                                                       padding, dilation, seed):
    assume(h + 2 * padding >= dilation * (kh - 1) + 1)
    assume(w + 2 * padding >= dilation * (kw - 1) + 1)
    x = np.arange(h * w, dtype=float).reshape(h, w) / 7
    kernel = np.ones((kh, kw)) / 3
    entry, shape = quiz.convolution2d_questions(x, kernel, stride, padding, dilation, False, seed)
    i, j = (int(v) for v in re.search(r"entry \((\d+), (\d+)\)", entry.prompt).groups())
    settings = f"(stride {stride}, padding {padding}, dilation {dilation})"
    assert entry.prompt.startswith(f"What is output entry ({i}, {j}) of the 2-D ")
    assert settings in entry.prompt and settings in shape.prompt
    assert f"for a {h} × {w} input and a {kh} × {kw} kernel" in shape.prompt
    layers = (cnn.Conv2d(4, kh, stride=stride, padding=padding), cnn.ReLU())
    for q in quiz.cnn_questions((2, h + 8, w + 8), layers, seed):
        assert all("." not in n for n in re.findall(NUMBER, q.prompt)), q.prompt


@given(st.integers(3, 10), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["valid", "full"]), st.data())
def test_backprop_prompts_show_g_and_w2_as_used(d, k1, k2, kind, data):
    assume(kind == "full" or d - k1 - k2 + 2 >= 1)
    length = d - k1 - k2 + 2 if kind == "valid" else d + k1 + k2 - 2
    x, w1, w2, g = (data.draw(st.lists(values, min_size=n, max_size=n))
                    for n in (d, k1, k2, length))
    for q in quiz.backprop_questions(x, w1, w2, g, kind, data.draw(st.integers(0, 20))):
        if q.kind == "len_a2":
            assert f"d = {d}, k₁ = {k1}, k₂ = {k2}" in q.prompt
            continue
        assert shown_vector(q.prompt, "w²") == w2, q.prompt
        if q.kind == "grad_h1":
            assert shown_vector(q.prompt, "∇a²L") == g, q.prompt


# -- issue 16: the forms students type ----------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("- 0.25", -0.25), ("  −0.25 ", -0.25), ("– 0.25", -0.25), ("—0.25", -0.25),
    ("‐0.25", -0.25), ("-(1/4)", -0.25), ("−( 1 / 4 )", -0.25), ("+ 0.5", 0.5),
    ("2^16", 65536.0), ("2**16", 65536.0), ("2^-2", 0.25), ("-2^2", -4.0), ("2^3^2", 512.0),
    ("4.9×10^-3", 0.0049), ("4.9 × 10^−3", 0.0049), ("4.9·10⁻³", 0.0049),
    ("4.9*10**-3", 0.0049), ("−4.9×10^-3", -0.0049), ("10⁻³", 0.001), ("3²", 9.0),
    ("0,25", 0.25), ("−0,25", -0.25), ("12,5", 12.5), ("0,250", 0.25),
    ("3 ÷ 4", 0.75), ("(1 + 2) × 3", 9.0), ("1 - 2 * 3", -5.0), ("1e-3", 0.001),
    ("1E-3", 0.001), ("≈ -(1/4)", -0.25), ("[0.25]", 0.25),
    ("18,432", 18432.0), ("1 000 000", 1e6), ("-18,432", -18432.0),
])
def test_the_forms_students_type_are_read(text, value):
    assert parse_answer(text) == (value,)


def test_in_a_list_a_comma_still_separates_numbers():
    assert parse_answer("1,5", 2) == (1.0, 5.0)
    assert parse_answer("(1,5, 3)", 3) == (1.0, 5.0, 3.0)
    assert parse_answer("2^3 x 14 x 14", 3) == (8.0, 14.0, 14.0)
    assert parse_answer("[8 14 14]", 3) == (8.0, 14.0, 14.0)


@pytest.mark.parametrize(("text", "says"), [
    ("1/0", "'1/0' divides by zero"), ("1/(2-2)", "divides by zero"),
    ("0^-1", "divides by zero"), ("1e999", "'1e999' is too large"),
    ("10^400", "too large"), ("2^2^2^2^2", "too large"),
    ("(-8)^(1/3)", "is not a real number"), ("abc", "'abc' is not a number"),
    ("1+", "'1+' is not a number"), ("(1+2", "unbalanced parentheses"),
    ("--3", "two signs in a row"), ("1,5,2", "one number wanted, you typed 3"),
    ("1 2", "one number wanted, you typed 2"), ("(" * 60 + "1" + ")" * 60, "too deeply"),
    ("1" * 300, "too long"),
])
def test_what_cannot_be_read_is_refused_saying_why(text, says):
    with pytest.raises(ValueError) as info:
        parse_answer(text)
    assert says in str(info.value)
    assert str(info.value).endswith(": type a number such as 0.25")


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["-", "−", "–"]),
       st.sampled_from(["", " ", "  "]))
def test_a_float_typed_any_way_reads_back_exactly(value, minus, space):
    text = repr(value).replace("-", minus)
    mantissa, _, exponent = repr(abs(value)).partition("e")
    sign = f"{minus}{space}" if np.copysign(1, value) < 0 else ""
    forms = [text, f"{space}{text}{space}", f"{sign}{repr(abs(value))}", f"({text})",
             f"{sign}({repr(abs(value))})"]
    if exponent:
        forms += [f"{sign}{mantissa}×10^{int(exponent)}", f"{sign}{mantissa} * 10**{exponent}",
                  f"{sign}{mantissa}·10{str(int(exponent)).translate(SUPERSCRIPT)}"]
    elif "." in mantissa and not re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", mantissa):
        forms.append(f"{sign}{mantissa.replace('.', ',')}")  # "1,234" would be thousands
    for form in forms:
        assert parse_answer(form) == (value,), form


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@given(st.text(max_size=40) | st.text("0123456789.,+-−*/^()eE ×·÷⁻³x[]≈", max_size=40),
       st.integers(1, 3))
def test_garbage_raises_nothing_but_value_error(text, count):
    question = Question("?", tuple(range(count)) if count > 1 else 0.25, "")
    try:
        values = parse_answer(text, count)
    except ValueError as exc:
        assert str(exc).startswith(("'", "one ", f"{count} ", "type ", "too ")), str(exc)
        assert grade(question, text).readable is False
    else:
        assert len(values) == count and all(np.isfinite(values))
        assert grade(question, text).readable
