"""The main window: panel navigation, menus, a status bar of live checks, remembered settings."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QMargins,
    QPoint,
    QRect,
    QSettings,
    QSize,
    Qt,
    QTimer,
    qInstallMessageHandler,
)
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer import __version__, export, setups
from explorer.app_icon import application_icon
from explorer.panels import PANELS, Panel
from explorer.widgets import file_dialogs
from explorer.widgets.check_yourself import CheckYourself
from explorer.widgets.theme import THEME_CHOICES, apply_theme

ORGANISATION = "nn-explorer"
APPLICATION = "nn-explorer"
#: resources/nn-explorer.desktop without its suffix: how Wayland and docks match the window to it.
DESKTOP_FILE_NAME = "nn-explorer"
#: The window's size where the screen has room for it (and no size was saved).
PREFERRED_SIZE = QSize(1280, 800)
#: Room kept for the window manager's title bar and borders around the window, so that a window
#: opened or restored at a size that just fits still has its frame on the screen.
FRAME_ALLOWANCE = QMargins(8, 40, 8, 8)
#: Panel parameters are saved this long after the last change (and on close), so a crash
#: loses at most a moment's work while a slider drag does not write the file 60 times a second.
SAVE_DELAY_MS = 500
#: Setups listed under File ▸ Open recent.
RECENT_SETUPS = 8


def default_settings() -> QSettings:
    """The app's settings file (an INI file in the user's configuration folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION,
                     APPLICATION)


def _frame_inside(available: QRect) -> QRect:
    """The part of ``available`` a window's client area may take, its frame around it."""
    return available.marginsRemoved(FRAME_ALLOWANCE)


def default_placement(available: QRect) -> tuple[QRect, bool]:
    """Where the window opens without a saved geometry: (client rectangle, maximised).

    At its preferred size, centred, where that fits with a window frame around it; otherwise
    maximised, with a normal size that fits for when the student restores it.
    """
    room = _frame_inside(available)
    size = PREFERRED_SIZE.boundedTo(room.size())
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(room.center())
    return rect, size != PREFERRED_SIZE


def fit_inside(rect: QRect, available: QRect) -> QRect:
    """``rect`` (a client rectangle) made to fit ``available`` with its frame: smaller, moved in.

    A saved geometry may come from a bigger screen or one that is no longer there.
    """
    room = _frame_inside(available)
    fitted = QRect(rect.topLeft(), rect.size().boundedTo(room.size()))
    fitted.moveLeft(min(max(fitted.left(), room.left()), room.right() - fitted.width() + 1))
    fitted.moveTop(min(max(fitted.top(), room.top()), room.bottom() - fitted.height() + 1))
    return fitted


class PanelMap(Mapping[str, Panel]):
    """Every registered panel by id. A panel is built the first time it is needed.

    The window builds the panel it opens on at once and the rest right after its first frame, so
    start-up costs one panel; looking a panel up here builds it if that has not happened yet.
    """

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._built: dict[str, Panel] = {}

    def __getitem__(self, panel_id: str) -> Panel:
        if panel_id not in PANELS:
            raise KeyError(panel_id)
        if panel_id not in self._built:
            self._built[panel_id] = self._window._build_panel(panel_id)
        return self._built[panel_id]

    def __iter__(self) -> Iterator[str]:
        return iter(PANELS)

    def __len__(self) -> int:
        return len(PANELS)

    def is_built(self, panel_id: str) -> bool:
        """Whether ``panel_id`` has been built."""
        return panel_id in self._built


class MainWindow(QMainWindow):
    """Navigation on the left, the panels in a stack, live checks in the status bar."""

    def __init__(self, settings: QSettings | None = None, panel: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("NN Explorer")
        self.setWindowIcon(QApplication.windowIcon())  # application() read it
        self._settings = settings if settings is not None else default_settings()
        # Before any panel is built, so panels are drawn in the theme from the start.
        apply_theme(self._saved_theme())
        self._ids = list(PANELS)
        self.panels = PanelMap(self)

        self._nav = QListWidget(self)
        self._nav.setToolTip("Topics of the homework (Ctrl+1 … Ctrl+6)")
        self._nav.setAccessibleName("Topics")
        self._nav.setSpacing(2)
        self._nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._stack = QStackedWidget(self)
        for number, panel_id in enumerate(self._ids, start=1):
            entry = PANELS.entry(panel_id)
            item = QListWidgetItem(f"{entry.title}\nQuestions {entry.questions}")
            item.setToolTip(f"{entry.title} — homework questions {entry.questions} "
                            f"(Ctrl+{number})")
            item.setData(Qt.ItemDataRole.UserRole, panel_id)
            self._nav.addItem(item)
            self._stack.addWidget(QWidget(self._stack))  # placeholder until the panel is built
        # As wide as the longest title, and no wider: the panels need the room more.
        self._nav.setFixedWidth(self._nav.sizeHintForColumn(0) + 2 * self._nav.frameWidth()
                                + 2 * self._nav.spacing())
        # The Check yourself bar sits under the panels and asks about the one shown.
        self.check_yourself = CheckYourself(self)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(2)
        centre_layout.addWidget(self._stack, 1)
        centre_layout.addWidget(self.check_yourself)
        central = QWidget(self)
        central_layout = QHBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.addWidget(self._nav)
        central_layout.addWidget(centre, 1)
        self.setCentralWidget(central)

        self._check_label = QLabel(self)
        self._check_label.setContentsMargins(0, 0, 8, 0)  # clear of the window's edge
        self._check_label.setToolTip("Live checks of the panel shown")
        self.statusBar().addPermanentWidget(self._check_label)
        self._build_menus()
        self._restore_view_choices()
        self._nav.currentRowChanged.connect(self._row_changed)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_panel_states)

        self._unsaved = False
        self.setAcceptDrops(True)
        self._restore(panel)
        # The other panels are built one per event-loop turn after the first frame.
        self._pending = [i for i in self._ids if not self.panels.is_built(i)]
        self._build_timer = QTimer(self)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_next)
        # The window is the context: if it is destroyed first, Qt drops the call.
        QTimer.singleShot(50, self, self._build_timer.start)

    # -- panels ---------------------------------------------------------------------------
    def _build_panel(self, panel_id: str) -> Panel:
        index = self._ids.index(panel_id)
        panel = PANELS[panel_id](self._stack)
        placeholder = self._stack.widget(index)
        self._stack.insertWidget(index, panel)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        panel.checksChanged.connect(self._checks_changed)
        panel.page.explanation.set_expanded(self.explanations_action.isChecked())
        panel.page.explanation.toggled.connect(self.set_explanations_visible)
        self._restore_panel_state(panel)
        panel.changed.connect(self._save_timer.start)
        panel.changed.connect(self._mark_unsaved)
        return panel

    def _build_next(self) -> None:
        while self._pending and self.panels.is_built(self._pending[0]):
            self._pending.pop(0)
        if not self._pending:
            self._build_timer.stop()
            return
        current = self._stack.currentIndex()
        self.panels[self._pending.pop(0)]
        self._stack.setCurrentIndex(current)

    def current_id(self) -> str:
        """Id of the panel shown."""
        return self._ids[max(0, self._nav.currentRow())]

    def current_panel(self) -> Panel:
        """The panel shown."""
        return self.panels[self.current_id()]

    def show_panel(self, panel_id: str) -> None:
        """Switch to ``panel_id``."""
        if panel_id not in PANELS:
            raise KeyError(f"unknown panel '{panel_id}'")
        self._nav.setCurrentRow(self._ids.index(panel_id))

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        panel = self.panels[self._ids[row]]
        self._stack.setCurrentWidget(panel)
        self.check_yourself.set_panel(panel)
        self._settings.setValue("last_panel", self._ids[row])
        self._show_checks(panel, panel.last_checks())

    def _checks_changed(self, checks: list) -> None:
        # The stack's widget, not current_panel(): a panel reports checks while it is being
        # built (restoring its state), before the window counts it as built.
        if self.sender() is self._stack.currentWidget():
            self._show_checks(self.sender(), checks)

    def _show_checks(self, panel: Panel, checks: list) -> None:
        if not checks:  # no check passed: say why there are none, never "✓ 0/0"
            running = panel.checks_pending()  # in the background (the CNN's forward pass)
            self._check_label.setText("checks running…" if running else "no checks")
            self._check_label.setToolTip(
                "The checks run with the forward pass, in the background" if running else
                "The panel has nothing to check now: it says why")
            return
        passed = sum(c.passed for c in checks)
        mark = "✓" if passed == len(checks) else "✗"
        self._check_label.setText(f"{mark} {passed}/{len(checks)} checks pass")
        self._check_label.setToolTip("\n".join(("✓ " if c.passed else "✗ ") + c.summary()
                                               for c in checks))

    def check_summary(self) -> str:
        """The status bar's check text, e.g. "✓ 3/3 checks pass"."""
        return self._check_label.text()

    # -- check yourself -------------------------------------------------------------------
    def set_check_yourself_visible(self, visible: bool) -> None:
        """Show or hide the Check yourself bar (Ctrl+K) and remember the choice."""
        self.check_yourself.setVisible(visible)
        self.check_yourself_action.setChecked(visible)
        self._settings.setValue("check_yourself_visible", bool(visible))
        if visible:
            self.check_yourself.answer_input.setFocus()

    def set_explanations_visible(self, visible: bool) -> None:
        """Show or fold the explanations of every panel and remember the choice."""
        self.explanations_action.setChecked(visible)
        for panel_id in self._ids:
            if self.panels.is_built(panel_id):
                self.panels[panel_id].page.explanation.set_expanded(visible)
        self._settings.setValue("explanations_visible", bool(visible))

    def _saved_flag(self, key: str) -> bool:
        """A shown/hidden choice: shown unless the settings say "false" (unreadable: shown)."""
        try:
            value = self._settings.value(key, True)
        except Exception:  # noqa: BLE001 - unreadable: the default
            value = True
        return str(value).strip().lower() not in ("false", "0", "no", "off")

    def _restore_view_choices(self) -> None:
        """The Check yourself bar and the explanations, shown or not as last time."""
        visible = self._saved_flag("check_yourself_visible")
        self.check_yourself.setVisible(visible)
        self.check_yourself_action.setChecked(visible)
        self.explanations_action.setChecked(self._saved_flag("explanations_visible"))

    # -- menus ----------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Open setup…", self.open_setup, QKeySequence.StandardKey.Open,
                     "Open a setup: every panel's inputs, the panel shown and the theme")
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(file_menu, "&Save setup…", self.save_setup, QKeySequence.StandardKey.Save,
                     "Save every panel's inputs, the panel shown and the theme in one file, "
                     "to open again or to share")
        file_menu.addSeparator()
        self._action(file_menu, "&Export panel…", self.export_current, "Ctrl+E",
                     "Save the panel shown as a PNG or SVG picture")
        self._action(file_menu, "Export &all…", self.export_all, "Ctrl+Shift+E",
                     "Save every panel as a PNG into a folder")
        self.gif_action = self._action(
            file_menu, "Export animation as &GIF…", self.export_gif_current, None,
            "Save the panel's animation, every step once, as a looping GIF (for the "
            "animated panels: loss, convolution, backprop; needs Pillow)")
        self._action(file_menu, "Export data as &CSV…", self.export_csv_current, None,
                     "Save the numbers the panel shows (vectors, tables, curves) as a CSV file")
        self._nav.currentRowChanged.connect(self._update_panel_actions)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit")
        edit_menu = bar.addMenu("&Edit")
        self._action(edit_menu, "&Copy panel image", self.copy_panel_image, "Ctrl+Shift+C",
                     "Put a picture of the panel shown on the clipboard, to paste elsewhere")
        edit_menu.addSeparator()
        self._action(edit_menu, "Copy &setup", self.copy_setup, None,
                     "Put the setup (every panel's inputs) on the clipboard as text, to send "
                     "in a message")
        self._action(edit_menu, "&Paste setup", self.paste_setup, None,
                     "Apply a setup copied as text")
        view = bar.addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        for number, panel_id in enumerate(self._ids, start=1):
            entry = PANELS.entry(panel_id)
            action = self._action(view, f"{entry.title}  ({entry.questions})",
                                  self._view_triggered, f"Ctrl+{number}",
                                  f"Show the {entry.title} panel")
            action.setData(panel_id)
            self.view_actions[panel_id] = action
        view.addSeparator()
        self._action(view, "&Reset panel", self.reset_current, "Ctrl+R",
                     "Put the panel back to the homework's own example")
        self._action(view, "Reset &all panels…", self._ask_reset_all, "Ctrl+Shift+R",
                     "Put every panel back to the homework's own example")
        view.addSeparator()
        self.check_yourself_action = self._action(
            view, "Chec&k yourself", self.set_check_yourself_visible, "Ctrl+K",
            "Show or hide the bar that asks you to predict a value before you look")
        self.check_yourself_action.setCheckable(True)
        self.explanations_action = self._action(
            view, "E&xplanations", self.set_explanations_visible, None,
            "Show or fold away the explanation at the top of every panel's controls")
        self.explanations_action.setCheckable(True)
        self._build_theme_menu(view)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Explain this panel", self.explain_current,
                     QKeySequence.StandardKey.HelpContents, "What the panel shows, and why (F1)")
        self._action(help_menu, "&About NN Explorer", self.about, None, "About this app")

    def _view_triggered(self) -> None:
        self.show_panel(self.sender().data())

    def reset_current(self) -> None:
        """Reset the panel shown to the homework's example."""
        self.current_panel().reset()

    def _ask_reset_all(self) -> None:
        answer = QMessageBox.question(
            self, "Reset all panels",
            "Put every panel back to the homework's own example? The inputs you set in all "
            "six panels are replaced.",
            QMessageBox.StandardButton.Reset | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Reset:
            self.reset_all()

    def reset_all(self) -> None:
        """Reset every panel that has been built (the others open in their default state)."""
        for panel_id in self._ids:
            if self.panels.is_built(panel_id):
                self.panels[panel_id].reset()
            else:
                self._settings.remove(f"panels/{panel_id}")  # so it is built with defaults

    def explain_current(self) -> None:
        """Show the explanation of the panel shown in a window of its own."""
        panel = self.current_panel()
        dialog = QDialog(self)
        dialog.setWindowTitle(f"{panel.title} — questions {panel.questions}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QTextBrowser(dialog)
        text.setHtml(panel.explanation())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(560, 620)
        dialog.show()
        self._explanation = dialog

    def export_current(self) -> None:
        """Ask for a file name and export the panel shown."""
        panel = self.current_panel()
        path, chosen = file_dialogs.save_file(
            self, "exports", "Export panel", f"{panel.id}.png",
            "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            fmt = "svg" if path.lower().endswith(".svg") or "svg" in chosen.lower() else "png"
            if not path.lower().endswith(f".{fmt}"):
                path += f".{fmt}"
            self._export([(panel, Path(path))], fmt)

    def export_all(self) -> None:
        """Ask for a folder and export every panel to it as PNG."""
        folder = file_dialogs.choose_folder(self, "exports", "Export all panels to")
        if folder:
            self._export([(self.panels[i], Path(folder) / f"{i}.png") for i in self._ids], "png")

    def _export(self, jobs: list[tuple[Panel, Path]], fmt: str) -> None:
        try:
            for panel, path in jobs:
                export.prepare_directory(path.parent)
                if not panel.isVisible():
                    # Lay a hidden panel out at the size of the one on screen before grabbing.
                    panel.resize(self._stack.size())
                panel.prepare_export()
                export.write_widget(panel, path, fmt)
        except export.ExportError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        self.statusBar().showMessage(f"Exported {len(jobs)} file(s) to {jobs[0][1].parent}", 5000)

    # -- GIF, CSV and clipboard ------------------------------------------------------------
    def _update_panel_actions(self, row: int) -> None:
        if row >= 0:
            self.gif_action.setEnabled(PANELS[self._ids[row]].animated)

    def _save_name(self, kind: str, caption: str, name: str, filter_text: str,
                   suffix: str) -> Path | None:
        path, _chosen = file_dialogs.save_file(self, kind, caption, name, filter_text)
        if not path:
            return None
        if not path.lower().endswith(suffix):
            path += suffix
        return Path(path)

    def export_gif_current(self) -> None:
        """Ask for a file name and save the shown panel's animation as a GIF."""
        panel = self.current_panel()
        if not panel.animated:
            self.statusBar().showMessage(f"The {panel.title} panel has no animation", 5000)
            return
        try:
            export.require_pillow()
        except export.ExportError:
            QMessageBox.information(
                self, "GIF export needs Pillow",
                "Saving an animation as a GIF uses the optional Pillow package, which is not "
                f"installed.<p>To enable it, run<br><code>{export.GIF_HINT}</code><br>and "
                "restart NN Explorer.</p>")
            return
        path = self._save_name("gif", "Export animation as GIF", f"{panel.id}.gif",
                               "GIF animation (*.gif)", ".gif")
        if path is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            export.prepare_directory(path.parent)
            panel.prepare_export()
            export.write_gif(panel, path)
        except export.ExportError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        QApplication.restoreOverrideCursor()
        self.statusBar().showMessage(
            f"Saved {panel.animation_steps()} steps of the animation to {path}", 5000)

    def export_csv_current(self) -> None:
        """Ask for a file name and save the shown panel's numbers as CSV."""
        panel = self.current_panel()
        path = self._save_name("csv", "Export data as CSV", f"{panel.id}.csv",
                               "CSV table (*.csv)", ".csv")
        if path is None:
            return
        try:
            export.prepare_directory(path.parent)
            export.write_csv(panel, path)
        except export.ExportError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        self.statusBar().showMessage(f"Saved the {panel.title} panel's data to {path}", 5000)

    def copy_panel_image(self) -> None:
        """Put a picture of the shown panel on the clipboard."""
        panel = self.current_panel()
        panel.prepare_export()
        image = panel.grab().toImage()
        QApplication.clipboard().setImage(image)
        self.statusBar().showMessage(
            f"Copied the {panel.title} panel to the clipboard ({panel.width()} × "
            f"{panel.height()} pixels)", 5000)

    # -- setups ---------------------------------------------------------------------------
    def _mark_unsaved(self) -> None:
        self._unsaved = True

    def setup_data(self) -> dict:
        """The setup of every panel (each is built), the panel shown and the theme."""
        return setups.capture({i: self.panels[i] for i in self._ids}, self.current_id(),
                              self._theme)

    def save_setup(self) -> None:
        """Ask for a file name and save the setup there."""
        name, _chosen = file_dialogs.save_file(self, "setups", "Save setup",
                                               f"{self.current_id()}{setups.SUFFIX}",
                                               setups.FILTER)
        if not name:
            return
        path = Path(name if name.lower().endswith(".json") else name + setups.SUFFIX)
        try:
            export.prepare_directory(path.parent)
            export.write_text_file(path, setups.dumps(self.setup_data()))
        except export.ExportError as exc:
            QMessageBox.warning(self, "Save failed", f"Could not save the setup: {exc}")
            return
        self._unsaved = False
        self._remember_recent(path)
        self.statusBar().showMessage(f"Saved the setup to {path}", 5000)

    def open_setup(self) -> None:
        """Ask for a setup file and open it."""
        path = file_dialogs.open_file(self, "setups", "Open setup", setups.FILTER)
        if path:
            self.open_setup_file(Path(path))

    def open_setup_file(self, path: Path) -> bool:
        """Open the setup at ``path``; whether it was applied (else a message says why)."""
        try:
            text = setups.read_file(path)
        except OSError as exc:
            QMessageBox.warning(self, "Open setup", f"Could not read {path}: "
                                f"{exc.strerror or exc}")
            return False
        except setups.SetupError as exc:
            QMessageBox.warning(self, "Open setup", f"{path.name}: {exc}")
            return False
        if self.apply_setup_text(text, path.name):
            self._remember_recent(path)
            return True
        return False

    def apply_setup_text(self, text: str | bytes, source: str) -> bool:
        """Check and apply a setup (from ``source``, a file name or "the clipboard").

        A setup that fails its checks changes nothing and says why; one panel's part that
        fails may be skipped, if the student agrees, with the rest applied.
        """
        try:
            setup = setups.parse(text)
        except setups.SetupError as exc:
            QMessageBox.warning(self, "Open setup", f"{source}: {exc}")
            return False
        if self._unsaved and QMessageBox.question(
                self, "Open setup",
                f"Replace the inputs you changed with the setup from {source}?",
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Open:
            return False
        unsaved = self._unsaved  # a setup refused and put back changes nothing
        while True:
            try:
                setups.apply(setup, self.panels.__getitem__)
                break
            except setups.SetupError as exc:
                self._unsaved = unsaved
                if exc.panel is None or len(setup.parts) < 2:
                    QMessageBox.warning(self, "Open setup", f"{source}: {exc}")
                    return False
                answer = QMessageBox.question(
                    self, "Open setup", f"{source}: {exc}\n\nSkip the {exc.panel} panel's "
                    "part and apply the rest?",
                    QMessageBox.StandardButton.Ignore | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Cancel)
                if answer != QMessageBox.StandardButton.Ignore:
                    return False
                setup = setup.without(exc.panel)
        self.set_theme(setup.theme)
        self.show_panel(setup.panel)
        self._unsaved = False
        self.statusBar().showMessage(f"Opened the setup from {source}", 5000)
        return True

    def copy_setup(self) -> None:
        """Put the setup on the clipboard as JSON text."""
        QApplication.clipboard().setText(setups.dumps(self.setup_data()))
        self.statusBar().showMessage("Copied the setup to the clipboard", 5000)

    def paste_setup(self) -> None:
        """Apply the setup on the clipboard."""
        self.apply_setup_text(QApplication.clipboard().text(), "the clipboard")

    def recent_setups(self) -> list[str]:
        """The setups opened or saved last, newest first."""
        value = self._settings.value("recent_setups", [])
        if isinstance(value, str):  # QSettings gives a list of one as its one string
            value = [value]
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, str)][:RECENT_SETUPS]

    def _remember_recent(self, path: Path) -> None:
        name = str(path.resolve())
        recent = [name, *(r for r in self.recent_setups() if r != name)][:RECENT_SETUPS]
        self._settings.setValue("recent_setups", recent)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_setups()
        for name in recent:
            action = self.recent_menu.addAction(Path(name).name)
            action.setToolTip(name)
            action.setData(name)
            action.triggered.connect(self._recent_triggered)
        if not recent:
            self.recent_menu.addAction("No setups yet").setEnabled(False)

    def _recent_triggered(self) -> None:
        self.open_setup_file(Path(self.sender().data()))

    def dragEnterEvent(self, event) -> None:  # noqa: D102 - Qt override
        if any(url.isLocalFile() and url.toLocalFile().lower().endswith(".json")
               for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: D102 - Qt override
        files = [url.toLocalFile() for url in event.mimeData().urls()
                 if url.isLocalFile() and url.toLocalFile().lower().endswith(".json")]
        if files:
            event.acceptProposedAction()
            self.open_setup_file(Path(files[0]))

    def about(self) -> None:
        """The About box."""
        QMessageBox.about(
            self, "About NN Explorer",
            f"<b>NN Explorer {__version__}</b><p>See and play with the mathematics of training "
            "a neural network: losses, softmax, equivalent networks, convolution and "
            "backpropagation through it. Every number on screen is computed by "
            "<code>explorer.model</code> and checked live against an independent oracle.</p>")

    # -- theme ----------------------------------------------------------------------------
    def _build_theme_menu(self, view) -> None:
        menu = view.addMenu("&Theme")
        menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        group.setExclusive(True)
        self.theme_actions: dict[str, QAction] = {}
        for name, text, tip in (
                ("system", "&System", "Light or dark as the operating system is set"),
                ("light", "&Light", "Dark text on light backgrounds"),
                ("dark", "&Dark", "Light text on dark backgrounds")):
            action = self._action(menu, text, self._theme_triggered, None, tip)
            action.setCheckable(True)
            action.setData(name)
            group.addAction(action)
            self.theme_actions[name] = action
        self.theme_actions[self._theme].setChecked(True)

    def _theme_triggered(self) -> None:
        self.set_theme(self.sender().data())

    def set_theme(self, name: str) -> None:
        """Show theme ``name`` ("system", "light" or "dark") everywhere now, and remember it."""
        apply_theme(name)
        self._theme = name
        self.theme_actions[name].setChecked(True)
        self._settings.setValue("theme", name)

    def _saved_theme(self) -> str:
        """The theme from the settings ("system" when absent or unreadable)."""
        try:
            value = self._settings.value("theme", "system")
        except Exception:  # noqa: BLE001 - any unreadable value means: use the default
            value = None
        if value not in THEME_CHOICES:
            print(f"nn-explorer: ignoring an unreadable theme ({str(value)[:20]!r}) in "
                  f"{self._settings.fileName()}; using the system's", file=sys.stderr)
            value = "system"
        self._theme = value
        return value

    # -- settings -------------------------------------------------------------------------
    def _restore(self, panel: str | None) -> None:
        """Window geometry and last panel from the settings; anything unreadable is skipped."""
        unreadable = []
        geometry = last = None
        try:
            geometry = self._settings.value("geometry")
            last = self._settings.value("last_panel")
        except Exception:  # noqa: BLE001 - any unreadable value means: use the defaults
            unreadable.append("values")
        if self._settings.status() != QSettings.Status.NoError:
            unreadable.append("format")
            geometry = last = None
        available = self.screen().availableGeometry()
        if geometry is not None and not (isinstance(geometry, QByteArray | bytes)
                                         and self.restoreGeometry(geometry)):
            unreadable.append("geometry")
            geometry = None
        if geometry is None:
            rect, maximised = default_placement(available)
            self.setGeometry(rect)
            if maximised:
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        elif not self.isMaximized():
            self.setGeometry(fit_inside(self.geometry(), available))
        if last is not None and last not in PANELS:
            unreadable.append("last_panel")
            last = None
        if unreadable:
            print(f"nn-explorer: ignoring unreadable settings ({', '.join(unreadable)}) in "
                  f"{self._settings.fileName()}; using the defaults", file=sys.stderr)
        self.show_panel(panel if panel is not None else last or self._ids[0])

    def _restore_panel_state(self, panel: Panel) -> None:
        """The panel's parameters from the last run; anything unreadable leaves its defaults."""
        if self._settings.status() != QSettings.Status.NoError:
            return  # _restore has said the file is unreadable
        try:
            saved = self._settings.value(f"panels/{panel.id}")
            if saved is None:
                return
            if not isinstance(saved, str):
                raise ValueError(f"expected a JSON string, got {type(saved).__name__}")
            panel.load_state_dict(json.loads(saved))
        except Exception as exc:  # noqa: BLE001 - a bad saved state must never stop the app
            if not isinstance(exc, ValueError):
                panel.reset()  # it may have been applied in part
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]
            print(f"nn-explorer: ignoring the saved state of the {panel.id} panel ({reason}) in "
                  f"{self._settings.fileName()}; using its defaults", file=sys.stderr)

    def save_panel_states(self) -> None:
        """Write every built panel's parameters to the settings (JSON under ``panels/<id>``)."""
        self._save_timer.stop()
        for panel_id in self._ids:
            if self.panels.is_built(panel_id):
                state = self.panels[panel_id].state_dict()
                self._settings.setValue(f"panels/{panel_id}", json.dumps(state))
        self._settings.sync()

    def closeEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._build_timer.stop()
        self.save_panel_states()
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("last_panel", self.current_id())
        self._settings.sync()
        for panel_id in self._ids:
            if self.panels.is_built(panel_id):
                self.panels[panel_id].close()
        super().closeEvent(event)


_QUIET_MESSAGES = (
    # The offscreen platform (export, tests) has no window manager and says so on every show,
    # and whenever a tooltip raises its window.
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)


def _message_handler(mode, context, message: str) -> None:
    if not message.startswith(_QUIET_MESSAGES):
        print(message, file=sys.stderr)


def application() -> QApplication:
    """The running QApplication, created with the app's names if there is none."""
    app = QApplication.instance()
    if app is None:
        qInstallMessageHandler(_message_handler)
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("NN Explorer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setWindowIcon(application_icon())
    return app
