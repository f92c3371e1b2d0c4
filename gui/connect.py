"""Attaching to a remote Redis/Valkey: check the URL, say in plain words what is wrong
(nothing listening, wrong password, unknown host, not a URL), and a dialog that shows it
and lets the user fix the URL, try again, or run the embedded server instead."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout)

from .panelkit import ERROR_STYLE

URL_FORM = "redis://[[user]:password@]host[:port][/db]"
TIMEOUT_S = 3.0


def url_parts(url: str) -> dict:
    """redis-py's reading of the URL (host, port, password, username, path, db);
    ValueError when it is not a Redis URL."""
    from redis.connection import parse_url
    if "://" not in url:
        raise ValueError("no scheme")
    kw = parse_url(url)
    kw.setdefault("port", 6379)
    kw.setdefault("host", "localhost")
    return kw


def where(url: str) -> str:
    try:
        kw = url_parts(url)
    except ValueError:
        return url
    return kw["path"] if "path" in kw else f"{kw['host']}:{kw['port']}"


def explain(url: str, e: Exception) -> str:
    """What a Redis user needs to read about a failed connection attempt."""
    import redis
    if isinstance(e, ValueError):
        return f"'{url}' is not a Redis URL ({e}). Write it as {URL_FORM}."
    kw = url_parts(url)
    at = where(url)
    said = str(e) or type(e).__name__
    if isinstance(e, redis.AuthenticationError) or "NOAUTH" in said:
        if not kw.get("password"):
            return (f"{at} requires a password: put it in the URL, e.g. "
                    f"redis://:password@{at}  (the server said: {said})")
        user = f" for user '{kw['username']}'" if kw.get("username") else ""
        return f"{at} refused the password{user}: {said}"
    if isinstance(e, redis.TimeoutError):
        return (f"{at} did not answer within {TIMEOUT_S:g} s: a firewall, a wrong host, or "
                f"a server too busy to reply.")
    if isinstance(e, redis.ConnectionError):
        if "refused" in said.lower():
            return (f"Nothing is listening on {at} (connection refused). Is the server "
                    f"running, and is the port right?")
        if "name or service not known" in said.lower() or "nodename nor servname" in \
                said.lower() or "getaddrinfo" in said.lower():
            return f"Unknown host '{kw.get('host')}': {said}"
        return f"Cannot connect to {at}: {said}"
    if isinstance(e, redis.ResponseError):
        return f"{at} answered with an error: {said}"
    return f"Cannot use {at}: {type(e).__name__}: {said}"


def probe(url: str) -> str:
    """Connect and PING (blocking: run it off the GUI thread once a server runs there).
    Returns "" when the server answers, else the explanation."""
    import redis
    try:
        r = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S,
                                 socket_connect_timeout=TIMEOUT_S)
        try:
            r.ping()
        finally:
            r.close()
    except Exception as e:
        try:
            return explain(url, e)
        except Exception:                   # an URL parse_url could not read back
            return f"Cannot use '{url}': {e}"
    return ""


class ConnectDialog(QDialog):
    """URL field, the last error, Connect; optionally "Start the embedded server instead".
    Never modal-blocking: the check runs in a thread while the loop keeps serving."""
    attached = Signal(object)          # a RemoteSource for the URL that answered
    embeddedRequested = Signal()
    _checked = Signal(str, str)        # url, error ("" = it answers), from the thread

    def __init__(self, url: str = "", error: str = "", offer_embedded: bool = False,
                 parent=None, read_only: bool = False):
        super().__init__(parent)
        self.setWindowTitle("keyscope — attach to Redis")
        self.setMinimumWidth(520)
        self.heading = QLabel("Attach to a running Redis or Valkey:")
        self.url_edit = QLineEdit(url)
        self.url_edit.setPlaceholderText(URL_FORM)
        self.read_only_box = QCheckBox("Read-only: the inspector sends no writes")
        self.read_only_box.setToolTip("Edits, bulk actions, admin buttons and console "
                                      "writes are refused (gui/safety.py); other clients "
                                      "of the server are not limited")
        self.read_only_box.setChecked(read_only)
        self.message = QLabel()
        self.message.setObjectName("connectMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.connect_button = QPushButton("Connect")
        self.connect_button.setDefault(True)
        buttons.addButton(self.connect_button, QDialogButtonBox.AcceptRole)
        self.embedded_button = None
        if offer_embedded:
            self.embedded_button = QPushButton("Start the embedded server instead")
            buttons.addButton(self.embedded_button, QDialogButtonBox.ActionRole)
            self.embedded_button.clicked.connect(self._embedded)
        self.cancel_button = buttons.addButton(
            "Quit" if offer_embedded else "Cancel", QDialogButtonBox.RejectRole)
        # (the box's accepted/rejected stay unconnected: Connect closes only on success)
        self.connect_button.clicked.connect(self.try_connect)
        self.cancel_button.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.url_edit)
        lay.addWidget(self.read_only_box)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.url_edit.returnPressed.connect(self.try_connect)
        self._checked.connect(self._on_checked, Qt.QueuedConnection)
        self.checking = False
        if error:
            self.heading.setText(f"Could not attach to {where(url)}:")
            self.show_error(error)

    def show_error(self, text: str):
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def show_note(self, text: str):
        self.message.setStyleSheet("")
        self.message.setText(text)

    def try_connect(self):
        if self.checking:
            return
        url = self.url_edit.text().strip()
        if not url:
            self.show_error(f"Type the server's URL: {URL_FORM}")
            return
        self.checking = True
        self.connect_button.setEnabled(False)
        self.show_note(f"Connecting to {where(url)} …")

        def work():
            err = probe(url)
            try:
                self._checked.emit(url, err)
            except RuntimeError:            # the dialog is gone
                pass
        threading.Thread(target=work, name="keyscope-connect", daemon=True).start()

    def _on_checked(self, url: str, err: str):
        self.checking = False
        self.connect_button.setEnabled(True)
        if err:
            self.heading.setText(f"Could not attach to {where(url)}:")
            self.show_error(err)
            return
        from .source import RemoteSource
        self.show_note(f"Connected to {where(url)}.")
        self.url = url
        source = RemoteSource(url)
        source.set_read_only(self.read_only_box.isChecked())
        self.attached.emit(source)
        self.accept()

    def _embedded(self):
        self.embeddedRequested.emit()
