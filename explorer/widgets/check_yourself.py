"""A bar that asks the student to predict a value the panel shows, then grades it."""

from __future__ import annotations

from PySide6.QtCore import QPropertyAnimation, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsOpacityEffect,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from explorer.model.quiz import Question, Verdict, grade
from explorer.widgets.theme import set_style_sheet

# Okabe–Ito green and vermillion, as the themes' text inks (4.5:1 on either background).
RIGHT_COLOR = "#009E73"
WRONG_COLOR = "#D55E00"


class CheckYourself(QFrame):
    """One question about the panel it is given, an answer field, Check and Another.

    The panel must offer ``quiz(seed) -> list[Question]`` and a ``changed`` signal. The bar
    shows question ``turn % len(questions)`` of ``panel.quiz(turn)``; "Another" moves to the next
    turn. When the panel changes, the question is asked again of the new state: if its answer
    moved, the verdict is cleared and a note says so; the note stays ``NOTE_HOLD_MS``, then
    fades out over ``NOTE_FADE_MS`` and is hidden.
    """

    #: Emitted with the :class:`~explorer.model.quiz.Verdict` of every Check.
    checked = Signal(object)
    #: How long the "panel changed" note stays at full strength, then how long it fades (ms).
    NOTE_HOLD_MS = 4000
    NOTE_FADE_MS = 800

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkYourself")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setToolTip("Predict a number the panel shows before you look, then check it "
                        "(View ▸ Check yourself, Ctrl+K, hides this bar)")
        self._panel = None
        self._turn = 0
        self._questions: list[Question] = []
        self._question: Question | None = None
        self._stale = False
        self._verdict_color: str | None = None

        title = QLabel("<b>Check yourself:</b>", self)
        title.setToolTip(self.toolTip())
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prompt.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.prompt.setToolTip("Worked out from what the panel shows now: change the inputs "
                               "and the question follows")
        self.answer_input = QLineEdit(self)
        self.answer_input.setPlaceholderText("your answer")
        self.answer_input.setAccessibleName("Your answer")
        self.answer_input.setClearButtonEnabled(True)
        self.answer_input.setMinimumWidth(150)
        self.answer_input.setMaximumWidth(220)
        self.answer_input.setToolTip("Type a number (0.25, −1/4, 4.9×10^-3, 2^16, 0,25) or a "
                                     "shape such as (8, 14, 14) or 8x14x14; Enter checks it")
        self.check_button = QPushButton("Check", self)
        self.check_button.setToolTip("Grade your answer (Enter)")
        self.another_button = QPushButton("Another", self)
        self.another_button.setToolTip("A different question about the same panel")
        self.verdict = QLabel(self)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.verdict.setToolTip("Whether your answer is right, within the rounding the question "
                                "asks for")
        self.note = QLabel(self)
        self.note.setToolTip("The panel's inputs or view changed, so the question was worked "
                             "out again")
        # Themed, so that a theme change re-polishes it: a plain style sheet would keep the text
        # colour of the theme it was first shown in.
        set_style_sheet(self.note, "font-style: italic;")
        self.note.hide()
        # The fade: an opacity effect, enabled only while fading (an enabled effect renders the
        # label through a pixmap), animated to exactly 0, then the label is hidden.
        self._note_effect = QGraphicsOpacityEffect(self.note)
        self._note_effect.setEnabled(False)
        self.note.setGraphicsEffect(self._note_effect)
        self._note_hold = QTimer(self)
        self._note_hold.setSingleShot(True)
        self._note_hold.setInterval(self.NOTE_HOLD_MS)
        self._note_fade = QPropertyAnimation(self._note_effect, b"opacity", self)
        self._note_fade.setDuration(self.NOTE_FADE_MS)
        self._note_fade.setStartValue(1.0)
        self._note_fade.setEndValue(0.0)
        self.working_button = QToolButton(self)
        self.working_button.setText("Show working")
        self.working_button.setCheckable(True)
        self.working_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.working_button.setArrowType(Qt.ArrowType.RightArrow)
        self.working_button.setAutoRaise(True)
        self.working_button.setToolTip("Show or hide how the answer is worked out, with the "
                                       "panel's own numbers")
        # As wide as its longer text, so that "Hide working" does not shift the row.
        self.working_button.setText("Hide working")
        self.working_button.setFixedWidth(self.working_button.sizeHint().width())
        self.working_button.setText("Show working")
        self.working = QLabel(self)
        self.working.setWordWrap(True)
        self.working.setTextFormat(Qt.TextFormat.RichText)
        self.working.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.working.setToolTip("The working: every number comes from the same model "
                                "functions the panel uses")
        self.working.setContentsMargins(8, 2, 4, 2)
        self.working.hide()

        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.answer_input)
        row.addWidget(self.check_button)
        row.addWidget(self.another_button)
        row.addSpacing(6)
        row.addWidget(self.verdict, 1)
        row.addWidget(self.note)
        row.addWidget(self.working_button)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        grid.addWidget(title, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.prompt, 0, 1)
        # The working opens between the question and the answer row: the bar sits on the
        # window's bottom edge and grows upwards, so the field and buttons stay where they are.
        grid.addWidget(self.working, 1, 0, 1, 2)
        grid.addLayout(row, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)

        self.answer_input.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)
        self.another_button.clicked.connect(self.another)
        self.working_button.toggled.connect(self.set_working_visible)
        self._note_hold.timeout.connect(self._fade_note)
        self._note_fade.finished.connect(self._hide_note)
        self._show_question(None)

    # -- binding --------------------------------------------------------------------------
    def set_panel(self, panel) -> None:
        """Ask about ``panel`` (None: nothing) from now on, starting with its first question."""
        if panel is self._panel:
            return
        if self._panel is not None:
            self._panel.changed.disconnect(self._panel_changed)
        self._panel = panel
        self._turn = 0
        if panel is not None:
            panel.changed.connect(self._panel_changed)
        self._regenerate(fresh=True)

    def panel(self):
        """The panel asked about."""
        return self._panel

    def question(self) -> Question | None:
        """The question shown (asked again first if the panel changed while the bar was hidden)."""
        if self._stale:
            self._regenerate(fresh=False)
        return self._question

    # -- actions --------------------------------------------------------------------------
    def check(self) -> Verdict | None:
        """Grade what is typed against the question shown, and show the verdict."""
        if self._stale:
            self._regenerate(fresh=False)
        question = self._question
        if question is None:
            return None
        verdict = grade(question, self.answer_input.text())
        self._hide_note()
        if not verdict.readable:
            self._set_verdict(f"✎ {verdict.message}", None)
        elif verdict.correct:
            self._set_verdict(f"✓ Right: {question.answer_text()}", RIGHT_COLOR)
        elif verdict.right_so_far:
            # Neither right nor wrong: no colour, and the working stays closed.
            self._set_verdict(f"≈ Right so far — give {question.rounding_asked()}", None)
        else:
            self._set_verdict(f"✗ Not quite — the answer is {question.answer_text()}",
                              WRONG_COLOR)
            # A wrong answer is when the working helps most.
            self.working_button.setChecked(True)
        self.checked.emit(verdict)
        return verdict

    def another(self) -> None:
        """Move to the next question about the panel (the list cycles)."""
        self._turn += 1
        self._regenerate(fresh=True)
        self.answer_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_working_visible(self, visible: bool) -> None:
        """Show or hide the working under the question."""
        if self.working_button.isChecked() != visible:
            self.working_button.setChecked(visible)  # comes back here through toggled
            return
        self.working_button.setText("Hide working" if visible else "Show working")
        self.working_button.setArrowType(Qt.ArrowType.DownArrow if visible
                                         else Qt.ArrowType.RightArrow)
        self.working.setVisible(visible and self._question is not None)

    def working_visible(self) -> bool:
        """Whether the working is showing."""
        return not self.working.isHidden()

    def verdict_text(self) -> str:
        """The verdict line as shown ("" before a check)."""
        return self.verdict.text()

    def note_text(self) -> str:
        """The note about a changed question ("" when none shows)."""
        return "" if self.note.isHidden() else self.note.text()

    def note_opacity(self) -> float:
        """How strongly the note shows: 1 at first, falling while it fades, 0 when hidden."""
        if self.note.isHidden():
            return 0.0
        return self._note_effect.opacity() if self._note_effect.isEnabled() else 1.0

    # -- question life cycle ----------------------------------------------------------------
    def _panel_changed(self) -> None:
        if self.isHidden():
            # Nobody sees the bar: ask again only when it is shown or used.
            self._stale = True
            return
        self._regenerate(fresh=False)

    def showEvent(self, event) -> None:  # noqa: D102 - Qt override
        if self._stale:
            self._regenerate(fresh=False)
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._hide_note()  # nobody reads it, and its timer and animation stop
        super().hideEvent(event)

    def _ask(self) -> tuple[Question | None, str]:
        """The question for the current turn, or None and why there is none."""
        if self._panel is None or not hasattr(self._panel, "quiz"):
            return None, "No questions for this panel."
        try:
            questions = self._panel.quiz(self._turn)
        except ValueError as exc:
            return None, f"No question for these inputs ({exc})."
        self._questions = list(questions)
        if not questions:
            return None, "No question right now: the panel's inputs need fixing first."
        return questions[self._turn % len(questions)], ""

    def _regenerate(self, fresh: bool) -> None:
        """Ask the panel again. ``fresh``: a new question, so clear the field and the verdict."""
        self._stale = False
        question, reason = self._ask()
        if not fresh and question == self._question:
            return
        had_verdict = bool(self.verdict.text())
        self._show_question(question, reason)
        if fresh or had_verdict:
            self.answer_input.clear()
        self._set_verdict("", None)
        self.working_button.setChecked(False)
        if not fresh and question is not None:
            self._show_note("The panel changed: new question.")
        else:
            self._hide_note()

    # -- the note's fade ----------------------------------------------------------------------
    def _show_note(self, text: str) -> None:
        """Show the note at full strength and (re)start its hold; a fade under way stops."""
        self._note_fade.stop()
        self._note_effect.setEnabled(False)
        self._note_effect.setOpacity(1.0)
        self.note.setText(text)
        self.note.show()
        self._note_hold.start()

    def _fade_note(self) -> None:
        self._note_effect.setOpacity(1.0)
        self._note_effect.setEnabled(True)
        self._note_fade.start()

    def _hide_note(self) -> None:
        """End the note: hidden, its timer and fade stopped, ready to show at full strength."""
        self._note_hold.stop()
        self._note_fade.stop()
        self.note.hide()
        self._note_effect.setEnabled(False)
        self._note_effect.setOpacity(1.0)

    def _show_question(self, question: Question | None, reason: str = "") -> None:
        self._question = question
        enabled = question is not None
        self.prompt.setText(question.prompt if enabled else reason)
        self.working.setText(question.working if enabled else "")
        for widget in (self.answer_input, self.check_button, self.another_button,
                       self.working_button):
            widget.setEnabled(enabled)
        count = len(self._questions)
        if enabled and count:
            self.another_button.setToolTip(
                f"A different question about the same panel (this is {self._turn % count + 1} "
                f"of {count} kinds)")
        if enabled:
            self.answer_input.setPlaceholderText(
                "e.g. 8x14x14" if question.is_list() else "your answer")

    def _set_verdict(self, text: str, color: str | None) -> None:
        self.verdict.setText(text)
        if color != self._verdict_color:  # re-polishing a style sheet costs; only on a change
            self._verdict_color = color
            # Themed: the colour is a text colour of the theme shown (and follows it).
            set_style_sheet(self.verdict, f"color: {color}; font-weight: bold;" if color else "")
