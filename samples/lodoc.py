#!/usr/bin/python3
"""Build .docx test documents with LibreOffice: real tracked changes and comments, from a JSON spec.

Runs under Debian's ``/usr/bin/python3`` (it has the ``uno`` module; the project venv does not).
The pytest side calls it through ``tests/lodoc.py`` (``make_docx`` / ``make_many``).

Usage::

    /usr/bin/python3 samples/lodoc.py SPEC.json OUT.docx     # one document
    /usr/bin/python3 samples/lodoc.py --batch JOBS.json      # many documents, one soffice start

``JOBS.json`` is a list of ``{"spec": {...}, "out": "path.docx"}``. The script prints one JSON
object on stdout: ``{"built": [paths], "errors": [messages]}`` and exits 0 when every job was
built, 2 when a spec was wrong (each error names the job and the problem), 3 when LibreOffice
itself could not be started.

It starts its own headless soffice with a private profile (``-env:UserInstallation`` in a temporary
folder) listening on a private named pipe (local only, no TCP port), reuses it for every job of a
batch, and always terminates it (then kills its process group) before exiting.

Spec
====

Top level (every key optional)::

    {
      "base": "/abs/path/base.docx",   # open this document; otherwise build from "paragraphs"
      "paragraphs": [...],             # used when there is no base (see below)
      "header": "E/CN.7/2027/L.5",     # page header text (new documents only)
      "page_numbers": true,            # a centred page number field in the footer (new documents only)
      "author": "Ahmed Hassan",        # tracked-change author (LibreOffice user name) at the start
      "track": true,                   # record changes from the start (default false)
      "date": "2027-02-10T09:30:00Z",  # fixed date: see "Determinism" below
      "edits": [ {...}, ... ],         # applied in order
      "name": "egypt"                  # a label for error messages
    }

``paragraphs`` entries are a string or ``{"text", "list_level", "bold", "italic", "align",
"style", "space_after"}``: ``list_level`` 0 puts the paragraph in the document's real numbered list ("1.", "2.",
...), 1 makes it a lettered sub-paragraph "(a)", "(b)" of that list (level 2 in Word's terms);
``align`` is left/center/right/justify; ``bold``/``italic`` apply to the whole paragraph;
``space_after`` is the spacing below it in 1/100 mm.

Addressing
----------
``para`` is the index of a body paragraph (top-level paragraphs of the main text, tables not
counted), counted in the document as it is *when the edit runs*: earlier inserted paragraphs count,
and tracked deletions are still there (LibreOffice keeps deleted text in place until accepted).

A position inside a paragraph is given by exactly one of:

* ``"at": N`` — N characters into the paragraph's text (a footnote anchor counts as one character,
  a comment anchor as none);
* ``"before": "words"`` — just before the first occurrence of ``words`` in the paragraph;
* ``"after": "words"`` — just after it;
* ``"end": true`` — the end of the paragraph.

A range is ``"find": "words"`` (its first occurrence; ``"occurrence": k`` for the k-th, 1-based)
or a position plus ``"expect": "words"`` (the range is those characters, and they must be there).
A point edit may also carry ``"expect"``: the text that must follow the point. Every check failure
stops that document with a message naming the job, the edit and the text actually found.

Edits (``"op"``)
----------------
* ``insert``            point + ``text``                      tracked insertion when recording
* ``delete``            range                                 tracked deletion
* ``replace``           range + ``text``                      deletion followed by insertion
* ``insert_paragraph``  ``after`` (paragraph index) + ``text`` [+ ``numbered``: false to drop the list
                        numbering it would inherit, ``list_level``] — a new paragraph, its paragraph
                        mark included in the tracked change (as Word does when one presses Enter)
* ``delete_paragraph``  ``para`` [+ ``expect``: the paragraph's full text] — text and mark
* ``split``             point — breaks the paragraph in two (an inserted paragraph mark)
* ``join``              ``para`` — joins it with the next one (a deleted paragraph mark)
* ``comment``           ``text`` on a range (``find``, or a position + ``expect``), else on a point
                        [+ ``author``, ``initials``, ``date``, ``resolved``]; the author defaults
                        to the current author, the initials to the author's initials, the date to
                        the spec date; ``resolved`` true marks the comment done (LibreOffice
                        writes ``w15:done="1"`` in commentsExtended.xml)
* ``footnote``          point + ``text`` — a new footnote anchored there
* ``format``            range + any of ``bold``/``italic``/``underline`` (true/false): a tracked
                        attribute change (w:rPrChange) when recording
* ``author``            ``name`` — later changes are by this author (joint submissions)
* ``track``             ``on`` — switch recording on or off (edits made while off are plain edits)

LibreOffice 7.4 cannot make a comment a *reply* to another (its annotation has no parent
property), so there is no reply edit; use Word-made files from the real corpus for threads.

From Python (Debian's python3), ``with Office() as office: build(office, spec, out, label)``
does the same in-process; ``samples/generate.py`` works that way.

Robustness
----------
Each job has a watchdog (``LODOC_JOB_TIMEOUT`` seconds, default 60): past it soffice is killed,
the job is reported as failed and a fresh soffice builds the rest. On SIGTERM the script stops
soffice before exiting; when ``LODOC_PIDFILE`` is set, the process id of each soffice it starts
(the leader of its own process group) is appended there, so a caller that had to kill this script
can still kill soffice.

Determinism
-----------
LibreOffice stamps tracked changes with the wall clock. When the spec has ``date``, the saved
package is normalised: every revision's ``w:date`` and the core properties' created/modified
dates become that date, and zip entries get a fixed timestamp, so the same spec gives the same
bytes. Without ``date`` the file is left exactly as LibreOffice wrote it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

FILTER = "MS Word 2007 XML"
PARAGRAPH_BREAK = 0  # com.sun.star.text.ControlCharacter.PARAGRAPH_BREAK
ALIGN = {"left": 0, "right": 1, "justify": 2, "center": 3}  # com.sun.star.style.ParagraphAdjust
LIST_STYLE = "Concord OP numbering"
EXIT_SPEC_ERROR = 2
EXIT_NO_OFFICE = 3


class SpecError(Exception):
    """A spec asks for something impossible; the message names the edit and the problem."""


class OfficeError(Exception):
    """LibreOffice could not be started or stopped responding."""


# --------------------------------------------------------------------------- LibreOffice process


class Office:
    """A private headless soffice and a UNO connection to it; a context manager that always kills it."""

    def __init__(self, soffice: str = "soffice", startup_timeout: float = 60.0) -> None:
        self.soffice = soffice
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.profile = Path(tempfile.mkdtemp(prefix="lodoc-profile-"))
        self.pipe = f"lodoc_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.ctx = None
        self.smgr = None
        self._author: str | None = None

    def __enter__(self) -> "Office":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start soffice and connect; raises OfficeError naming what went wrong."""
        import uno  # only Debian's python3 has it; imported here so --help works anywhere

        exe = shutil.which(self.soffice)
        if exe is None:
            raise OfficeError(f"{self.soffice} not found: install libreoffice-writer-nogui and python3-uno")
        self.proc = subprocess.Popen(
            [exe, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
             "--nolockcheck", f"-env:UserInstallation={self.profile.as_uri()}",
             f"--accept=pipe,name={self.pipe};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # own process group, so stop() can kill soffice.bin too
        )
        pidfile = os.environ.get("LODOC_PIDFILE")
        if pidfile:  # lets the caller kill soffice's process group should this script be killed
            with open(pidfile, "a", encoding="ascii") as f:
                f.write(f"{self.proc.pid}\n")
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception as exc:  # NoConnectException until soffice listens
                if self.proc.poll() is not None:
                    raise OfficeError(f"soffice exited with code {self.proc.returncode} during startup") from exc
                if time.monotonic() > deadline:
                    raise OfficeError(f"soffice did not accept a connection within {self.startup_timeout:.0f} s") from exc
                time.sleep(0.1)
        self.smgr = self.ctx.ServiceManager
        self._author = None

    def stop(self) -> None:
        """Ask soffice to quit, then kill its process group; remove the private profile."""
        if self.smgr is not None:
            try:
                self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx).terminate()
            except Exception:
                pass  # the bridge closes while terminating; the process check below decides
        self.smgr = self.ctx = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own session: soffice.bin and helpers
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        shutil.rmtree(self.profile, ignore_errors=True)
        # soffice leaves its pipe's socket file behind (/tmp/OSL_PIPE_<uid>_<name>, or /var/tmp)
        for folder in ("/tmp", "/var/tmp"):
            Path(folder, f"OSL_PIPE_{os.getuid()}_{self.pipe}").unlink(missing_ok=True)

    def kill(self) -> None:
        """Kill soffice's process group at once (the watchdog: a hung call then fails)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def restart(self) -> None:
        """A fresh soffice after a crash, with a fresh profile."""
        self.stop()
        self.profile = Path(tempfile.mkdtemp(prefix="lodoc-profile-"))
        self.pipe = f"lodoc_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.start()

    def set_author(self, name: str) -> None:
        """Make ``name`` the tracked-change author: LibreOffice's user profile name."""
        if name == self._author:
            return
        from com.sun.star.beans import PropertyValue

        provider = self.smgr.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", self.ctx)
        arg = PropertyValue()
        arg.Name, arg.Value = "nodepath", "/org.openoffice.UserProfile/Data"
        access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", (arg,))
        # The whole name goes in givenname: LibreOffice joins givenname and sn with a space, so an
        # empty sn gives the name exactly ("Delegation of Mexico", "EGY").
        access.setPropertyValue("givenname", name)
        access.setPropertyValue("sn", "")
        access.commitChanges()
        self._author = name

    def new_document(self):
        """An empty view-less Writer model (the nogui build aborts on comments in a viewed one)."""
        doc = self.smgr.createInstanceWithContext("com.sun.star.text.TextDocument", self.ctx)
        doc.initNew()
        return doc

    def load(self, path: Path):
        """A view-less Writer model of a .docx."""
        doc = self.smgr.createInstanceWithContext("com.sun.star.text.TextDocument", self.ctx)
        doc.load((_prop("URL", path.resolve().as_uri()), _prop("FilterName", FILTER)))
        return doc


def _prop(name: str, value):
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


# --------------------------------------------------------------------------- document access


def body_paragraphs(doc) -> list:
    """Top-level paragraphs of the main text, in order (tables skipped)."""
    out = []
    enum = doc.Text.createEnumeration()
    while enum.hasMoreElements():
        element = enum.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            out.append(element)
    return out


@dataclass(frozen=True)
class ParagraphText:
    """A paragraph's text and, for each character index, the cursor step where it starts.

    LibreOffice's cursor steps over comment anchors (no text) and footnote anchors (one character
    of text, the label), so string indices and cursor positions differ; edits are addressed by
    string index and moved by cursor steps.
    """

    text: str
    steps: tuple[int, ...]  # steps[i] = cursor steps from paragraph start to string index i (len+1 entries)


def read_paragraph(doc, para) -> ParagraphText:
    """Map the paragraph's text indices to cursor steps, portion by portion.

    Plain text portions step one character at a time, so only the other portions (footnote and
    comment anchors, fields) and text with combining marks or characters outside the BMP (where a
    cursor step may cover several characters) are measured with the cursor: a few UNO calls per
    paragraph instead of three per character.
    """
    text = doc.Text
    chars: list[str] = []
    steps: list[int] = []
    step = 0
    portions = para.createEnumeration()
    while portions.hasMoreElements():
        portion = portions.nextElement()
        piece = portion.getString()
        if portion.TextPortionType == "Text" and _simple(piece):
            chars.extend(piece)
            steps.extend(range(step, step + len(piece)))
            step += len(piece)
        elif portion.TextPortionType == "Text":
            step = _walk(text, portion, step, chars, steps)
        else:
            width = _width(text, portion)
            chars.extend(piece)
            steps.extend([step] * len(piece))
            step += width
    steps.append(step)
    return ParagraphText("".join(chars), tuple(steps))


def _simple(piece: str) -> bool:
    """True when each character of ``piece`` is one cursor step (no combining marks, no surrogates)."""
    return all(ord(ch) < 0x300 or (ord(ch) < 0x10000 and not unicodedata.combining(ch)
                                   and not 0xD800 <= ord(ch) <= 0xDFFF) for ch in piece)


def _width(text, portion) -> int:
    """Cursor steps a portion spans (0 for marks such as redline or comment-range boundaries)."""
    cursor = text.createTextCursorByRange(portion.getStart())
    end = portion.getEnd()
    width = 0
    while text.compareRegionStarts(cursor, end) == 1 and width < 10_000:
        if not cursor.goRight(1, False):
            break
        width += 1
    return width


def _walk(text, portion, step: int, chars: list[str], steps: list[int]) -> int:
    """Step through a text portion one cursor step at a time, recording where each character starts."""
    cursor = text.createTextCursorByRange(portion.getStart())
    end = portion.getEnd()
    guard = 200_000
    while text.compareRegionStarts(cursor, end) == 1 and guard:
        guard -= 1
        cursor.goRight(1, True)
        piece = cursor.getString()
        cursor.collapseToEnd()
        chars.extend(piece)
        steps.extend([step] * len(piece))
        step += 1
    return step


class Editor:
    """Applies one spec's edits to one open document."""

    def __init__(self, office: Office, doc, label: str, spec: dict) -> None:
        self.office = office
        self.doc = doc
        self.text = doc.Text
        self.label = label
        self.spec = spec
        self.author = spec.get("author") or "Unknown Author"
        self.edit_no = 0
        self._paragraphs: list | None = None  # cached: enumerating is the slowest UNO work here

    # -- errors and addressing ------------------------------------------------------------------
    def fail(self, message: str) -> SpecError:
        return SpecError(f"{self.label}: edit {self.edit_no} ({self.current_op}): {message}")

    def paragraph(self, index) -> tuple:
        if self._paragraphs is None:
            self._paragraphs = body_paragraphs(self.doc)
        paras = self._paragraphs
        if not isinstance(index, int) or not 0 <= index < len(paras):
            raise self.fail(f"paragraph {index!r} does not exist (the body has {len(paras)} paragraphs, 0-{len(paras) - 1})")
        return paras[index], paras

    def find(self, ptext: ParagraphText, words: str, occurrence: int, para: int) -> int:
        start = -1
        for _ in range(occurrence):
            start = ptext.text.find(words, start + 1)
            if start < 0:
                raise self.fail(f"{words!r} (occurrence {occurrence}) not found in paragraph {para}: {_short(ptext.text)!r}")
        return start

    def point(self, edit: dict):
        """A collapsed cursor at the edit's position, after checking ``expect``."""
        para_index = edit.get("para")
        para, _ = self.paragraph(para_index)
        ptext = read_paragraph(self.doc, para)
        keys = [k for k in ("at", "before", "after", "end") if k in edit]
        if len(keys) != 1:
            raise self.fail(f"give exactly one of at/before/after/end for the position, got {keys or 'none'}")
        occurrence = int(edit.get("occurrence", 1))
        if "at" in edit:
            index = edit["at"]
            if not isinstance(index, int) or not 0 <= index <= len(ptext.text):
                raise self.fail(f"offset {index!r} is outside paragraph {para_index} ({len(ptext.text)} characters)")
        elif "before" in edit:
            index = self.find(ptext, edit["before"], occurrence, para_index)
        elif "after" in edit:
            index = self.find(ptext, edit["after"], occurrence, para_index) + len(edit["after"])
        else:
            index = len(ptext.text)
        if "expect" in edit and not ptext.text.startswith(edit["expect"], index):
            raise self.fail(f"expected {edit['expect']!r} at offset {index} of paragraph {para_index}, found "
                            f"{ptext.text[index:index + len(edit['expect']) + 10]!r}")
        cursor = self.text.createTextCursorByRange(para.getStart())
        _go(cursor, ptext.steps[index], False)
        return cursor

    def range(self, edit: dict):
        """A cursor selecting the edit's range, after checking the text there."""
        para_index = edit.get("para")
        para, _ = self.paragraph(para_index)
        ptext = read_paragraph(self.doc, para)
        occurrence = int(edit.get("occurrence", 1))
        if "find" in edit:
            words = edit["find"]
            start = self.find(ptext, words, occurrence, para_index)
        else:
            if "expect" not in edit:
                raise self.fail("a range needs \"find\", or a position with \"expect\" (the text it covers)")
            words = edit["expect"]
            if "at" in edit:
                start = edit["at"]
            elif "before" in edit:
                start = self.find(ptext, edit["before"], occurrence, para_index)
            elif "after" in edit:
                start = self.find(ptext, edit["after"], occurrence, para_index) + len(edit["after"])
            else:
                raise self.fail("a range needs a start: at/before/after, or \"find\"")
            if not isinstance(start, int) or ptext.text[start:start + len(words)] != words:
                raise self.fail(f"expected {words!r} at offset {start!r} of paragraph {para_index}, found "
                                f"{ptext.text[start:start + len(words)]!r} in {_short(ptext.text)!r}")
        if not words:
            raise self.fail("the range is empty")
        end = start + len(words)
        cursor = self.text.createTextCursorByRange(para.getStart())
        _go(cursor, ptext.steps[start], False)
        _go(cursor, ptext.steps[end] - ptext.steps[start], True)
        return cursor

    # -- the edits ------------------------------------------------------------------------------
    def apply(self, edits: list) -> None:
        for self.edit_no, edit in enumerate(edits):
            if not isinstance(edit, dict) or "op" not in edit:
                self.current_op = "?"
                raise self.fail("each edit is an object with an \"op\"")
            self.current_op = edit["op"]
            handler = getattr(self, "op_" + str(edit["op"]), None)
            if handler is None:
                raise self.fail(f"unknown op {edit['op']!r}; known: {', '.join(sorted(OPS))}")
            handler(edit)
            if edit["op"] in STRUCTURAL:
                self._paragraphs = None  # paragraphs were added or removed: enumerate again

    def op_insert(self, edit: dict) -> None:
        cursor = self.point(edit)
        self.text.insertString(cursor, _required(self, edit, "text"), False)

    def op_delete(self, edit: dict) -> None:
        self.range(edit).setString("")

    def op_replace(self, edit: dict) -> None:
        cursor = self.range(edit)
        # absorb=True replaces the selection; recorded as a deletion followed by an insertion
        self.text.insertString(cursor, _required(self, edit, "text"), True)

    def op_insert_paragraph(self, edit: dict) -> None:
        after = edit.get("after")
        para, _ = self.paragraph(after)
        cursor = self.text.createTextCursorByRange(para.getEnd())
        self.text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        self.text.insertString(cursor, _required(self, edit, "text"), False)
        self._paragraphs = None  # the new paragraph is not in the cached list yet
        new_para, _ = self.paragraph(after + 1)
        if edit.get("numbered") is False:
            _drop_numbering(new_para)
        if "list_level" in edit:
            _number(self.doc, new_para, int(edit["list_level"]))

    def op_delete_paragraph(self, edit: dict) -> None:
        index = edit.get("para")
        para, paras = self.paragraph(index)
        if "expect" in edit:
            found = read_paragraph(self.doc, para).text
            if found != edit["expect"]:
                raise self.fail(f"paragraph {index} reads {_short(found)!r}, expected {_short(edit['expect'])!r}")
        if index + 1 < len(paras):
            cursor = self.text.createTextCursorByRange(para.getStart())
            cursor.gotoRange(paras[index + 1].getStart(), True)
        elif index > 0:  # the last paragraph: take the previous paragraph's mark instead
            cursor = self.text.createTextCursorByRange(paras[index - 1].getEnd())
            cursor.gotoRange(para.getEnd(), True)
        else:
            raise self.fail("cannot delete the only paragraph of the document")
        cursor.setString("")

    def op_split(self, edit: dict) -> None:
        cursor = self.point(edit)
        self.text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)

    def op_join(self, edit: dict) -> None:
        index = edit.get("para")
        para, paras = self.paragraph(index)
        if index + 1 >= len(paras):
            raise self.fail(f"paragraph {index} is the last one: nothing to join it with")
        cursor = self.text.createTextCursorByRange(para.getEnd())
        cursor.gotoRange(paras[index + 1].getStart(), True)
        cursor.setString("")

    def op_comment(self, edit: dict) -> None:
        if "find" in edit or "expect" in edit:  # a comment on words; otherwise on a point
            anchor = self.range(edit)
            absorb = True
        else:
            anchor = self.point(edit)
            absorb = False
        # A fresh cursor over the same range: a range from elsewhere cannot anchor an annotation.
        cursor = self.text.createTextCursorByRange(anchor.getStart())
        cursor.gotoRange(anchor.getEnd(), True)
        note = self.doc.createInstance("com.sun.star.text.textfield.Annotation")
        note.Author = edit.get("author") or self.author
        note.Initials = edit.get("initials") or "".join(w[0] for w in note.Author.split() if w[:1].isalpha())
        note.Content = _required(self, edit, "text")
        if edit.get("resolved"):
            note.Resolved = True
        when = edit.get("date") or self.spec.get("date")
        if when:
            note.DateTimeValue = _uno_datetime(self, when)
        self.text.insertTextContent(cursor, note, absorb)

    def op_footnote(self, edit: dict) -> None:
        cursor = self.point(edit)
        note = self.doc.createInstance("com.sun.star.text.Footnote")
        self.text.insertTextContent(cursor, note, False)
        note.setString(_required(self, edit, "text"))

    def op_format(self, edit: dict) -> None:
        cursor = self.range(edit)
        if "bold" in edit:
            cursor.CharWeight = 150.0 if edit["bold"] else 100.0  # com.sun.star.awt.FontWeight
        if "italic" in edit:
            cursor.CharPosture = 2 if edit["italic"] else 0  # com.sun.star.awt.FontSlant ITALIC/NONE
        if "underline" in edit:
            cursor.CharUnderline = 1 if edit["underline"] else 0  # FontUnderline SINGLE/NONE
        if not any(k in edit for k in ("bold", "italic", "underline")):
            raise self.fail("format needs bold, italic or underline")

    def op_author(self, edit: dict) -> None:
        self.author = _required(self, edit, "name")
        self.office.set_author(self.author)

    def op_track(self, edit: dict) -> None:
        self.doc.RecordChanges = bool(edit.get("on", True))


OPS = sorted(name[3:] for name in dir(Editor) if name.startswith("op_"))
#: Edits that add or remove paragraphs (an untracked deletion really removes them).
STRUCTURAL = {"insert_paragraph", "delete_paragraph", "split", "join"}


def _required(editor: Editor, edit: dict, key: str):
    if key not in edit:
        raise editor.fail(f"missing {key!r}")
    return edit[key]


def _go(cursor, steps: int, select: bool) -> None:
    # goRight takes a short (max 32767): move in chunks for long paragraphs
    while steps > 0:
        n = min(steps, 30000)
        cursor.goRight(n, select)
        steps -= n


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _uno_datetime(editor: Editor, iso: str):
    from com.sun.star.util import DateTime

    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?Z?", iso)
    if not m:
        raise editor.fail(f"date {iso!r} is not ISO 8601 like 2027-02-10T09:30:00Z")
    dt = DateTime()
    dt.Year, dt.Month, dt.Day, dt.Hours, dt.Minutes = (int(m.group(i)) for i in range(1, 6))
    dt.Seconds = int(m.group(6) or 0)
    dt.IsUTC = True
    return dt


# --------------------------------------------------------------------------- new documents


def _list_style(doc):
    """The document's OP numbering: level 1 "1.", level 2 "(a)" — a real list style, not typed numbers."""
    styles = doc.StyleFamilies.getByName("NumberingStyles")
    if styles.hasByName(LIST_STYLE):
        return LIST_STYLE
    style = doc.createInstance("com.sun.star.style.NumberingStyle")
    styles.insertByName(LIST_STYLE, style)
    rules = style.NumberingRules
    import uno

    for level in range(rules.getCount()):
        # Level 1 "1.", level 2 "(a)", deeper levels "i." (NumberingType ARABIC=4,
        # CHARS_LOWER_LETTER=1, ROMAN_LOWER=3); ListFormat overrides Prefix/Suffix in LibreOffice 7.
        kind, label = {0: (4, "%1%."), 1: (1, "(%2%)")}.get(level, (3, f"%{level + 1}%."))
        # Indent like UN documents: each level 1.27 cm further in, the text 1.27 cm after the
        # number (positions in 1/100 mm).
        props = {
            "NumberingType": kind, "ListFormat": label, "ParentNumbering": 1,
            "ListtabStopPosition": 1270 * (level + 1), "IndentAt": 1270 * (level + 1),
            "FirstLineIndent": -1270,
        }
        # The element must be typed explicitly, or pyuno passes an untyped tuple LibreOffice rejects.
        uno.invoke(rules, "replaceByIndex",
                   (level, uno.Any("[]com.sun.star.beans.PropertyValue", tuple(_prop(k, v) for k, v in props.items()))))
    style.NumberingRules = rules
    return LIST_STYLE


def _number(doc, para, level: int) -> None:
    para.setPropertyValue("NumberingStyleName", _list_style(doc))
    para.setPropertyValue("NumberingLevel", level)


def _drop_numbering(para) -> None:
    para.setPropertyValue("NumberingStyleName", "")
    try:
        para.setPropertyValue("NumberingIsNumber", False)
    except Exception:
        pass  # no list any more: nothing to switch off


def build_new(office: Office, spec: dict, label: str):
    """A new document with the spec's paragraphs, header and page numbers (nothing tracked)."""
    doc = office.new_document()
    text = doc.Text
    entries = spec.get("paragraphs") or [""]
    cursor = text.createTextCursor()
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            entry = {"text": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("text", ""), str):
            raise SpecError(f"{label}: paragraphs[{i}] must be a string or an object with \"text\"")
        if i:
            text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        text.insertString(cursor, entry.get("text", ""), False)
    for i, (entry, para) in enumerate(zip(entries, body_paragraphs(doc))):
        if isinstance(entry, str):
            entry = {"text": entry}
        if "style" in entry:
            para.ParaStyleName = entry["style"]
        if "align" in entry:
            if entry["align"] not in ALIGN:
                raise SpecError(f"{label}: paragraphs[{i}]: align must be one of {', '.join(ALIGN)}")
            para.ParaAdjust = ALIGN[entry["align"]]
        if entry.get("bold"):
            para.CharWeight = 150.0
        if entry.get("italic"):
            para.CharPosture = 2
        if "list_level" in entry:
            _number(doc, para, int(entry["list_level"]))
        else:
            _drop_numbering(para)
        if "space_after" in entry:
            para.ParaBottomMargin = int(entry["space_after"])
    page = doc.StyleFamilies.getByName("PageStyles").getByName("Standard")
    if spec.get("header"):
        page.HeaderIsOn = True
        header = page.HeaderText
        header.setString(spec["header"])
        enum = header.createEnumeration()
        while enum.hasMoreElements():
            enum.nextElement().ParaAdjust = ALIGN["right"]
    if spec.get("page_numbers"):
        page.FooterIsOn = True
        footer = page.FooterText
        field = doc.createInstance("com.sun.star.text.textfield.PageNumber")
        field.NumberingType = 4  # ARABIC
        field.SubType = 1  # com.sun.star.text.PageNumberType.CURRENT
        footer.insertTextContent(footer.getEnd(), field, False)
        enum = footer.createEnumeration()
        while enum.hasMoreElements():
            enum.nextElement().ParaAdjust = ALIGN["center"]
    return doc


# --------------------------------------------------------------------------- building


def build(office: Office, spec: dict, out: Path, label: str) -> Path:
    """Build one document from a spec and save it as .docx at ``out``."""
    if not isinstance(spec, dict):
        raise SpecError(f"{label}: the spec must be a JSON object")
    unknown = set(spec) - {"base", "paragraphs", "header", "page_numbers", "author", "track", "date", "edits", "name"}
    if unknown:
        raise SpecError(f"{label}: unknown spec keys {sorted(unknown)}")
    office.set_author(spec.get("author") or "Unknown Author")
    if spec.get("base"):
        base = Path(spec["base"])
        if not base.is_file():
            raise SpecError(f"{label}: base document {base} does not exist")
        try:
            doc = office.load(base)
        except Exception as exc:
            raise SpecError(f"{label}: LibreOffice could not open {base}: {exc}") from exc
    else:
        doc = build_new(office, spec, label)
    try:
        doc.RecordChanges = bool(spec.get("track", False))
        editor = Editor(office, doc, label, spec)
        editor.current_op = "?"
        editor.apply(spec.get("edits") or [])
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".lodoc-tmp")
        doc.storeToURL(tmp.resolve().as_uri(), (_prop("FilterName", FILTER),))
    finally:
        try:
            doc.close(True)
        except Exception:
            pass  # a disposed model after a failure: nothing left to close
    if spec.get("date"):
        normalise(tmp, out, spec["date"])
        tmp.unlink()
    else:
        tmp.replace(out)
    return out


_REVISION_DATE = re.compile(
    r'(<w:(?:ins|del|moveFrom|moveTo|rPrChange|pPrChange|sectPrChange|tblPrChange|trPrChange|tcPrChange|numberingChange)\b[^>]*?\bw:date=")[^"]*(")'
)
_CORE_DATE = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(<)")


def normalise(src: Path, dst: Path, date: str) -> None:
    """Copy the package with every revision date and the core dates set to ``date`` and fixed zip times."""
    iso = date if date.endswith("Z") else date + "Z"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                data = _REVISION_DATE.sub(lambda m: m.group(1) + iso + m.group(2), data.decode("utf-8")).encode("utf-8")
            elif info.filename == "docProps/core.xml":
                data = _CORE_DATE.sub(lambda m: m.group(1) + iso + m.group(2), data.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(2027, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, data)


def run_jobs(jobs: list[tuple[dict, Path, str]], job_timeout: float | None = None) -> tuple[list[str], list[str]]:
    """Build every job in one soffice; a job that crashes or hangs soffice gets a fresh one for the rest.

    ``job_timeout`` (default: the LODOC_JOB_TIMEOUT environment variable, else 60 s) bounds each
    job: a watchdog kills soffice when it is exceeded, so the job fails with a message instead of
    hanging the caller.
    """
    if job_timeout is None:
        job_timeout = float(os.environ.get("LODOC_JOB_TIMEOUT", "60"))
    built, errors = [], []
    with Office() as office:
        for spec, out, label in jobs:
            fired = threading.Event()  # set before the kill, so the failure below knows why

            def on_timeout(fired=fired) -> None:
                fired.set()
                office.kill()

            watchdog = threading.Timer(job_timeout, on_timeout)
            watchdog.start()
            crashed = False
            try:
                build(office, spec, out, label)
                built.append(str(out))
            except SpecError as exc:
                errors.append(str(exc))
            except Exception as exc:  # a UNO error: report it; soffice is restarted below
                if fired.is_set():
                    errors.append(f"{label}: LibreOffice took longer than {job_timeout:.0f} s and was killed")
                else:
                    errors.append(f"{label}: LibreOffice failed: {type(exc).__name__}: {exc}")
                    traceback.print_exc(file=sys.stderr)
                crashed = _is_disposed(exc)
            finally:
                watchdog.cancel()
            # The watchdog may also fire just after a job succeeded: any dead soffice is replaced.
            if crashed or fired.is_set() or office.proc is None or office.proc.poll() is not None:
                office.restart()
    return built, errors


def _is_disposed(exc: Exception) -> bool:
    return "Disposed" in type(exc).__name__ or "Disposed" in str(exc) or "Binary URP bridge" in str(exc)


def _load_jobs(argv: list[str]) -> list[tuple[dict, Path, str]]:
    if len(argv) == 2 and argv[0] == "--batch":
        source = Path(argv[1])
        raw = json.loads(source.read_text(encoding="utf-8"))
        if not isinstance(raw, list):
            raise SpecError(f"{source}: a batch is a JSON list of {{\"spec\", \"out\"}}")
        jobs = []
        for i, job in enumerate(raw):
            if not isinstance(job, dict) or "spec" not in job or "out" not in job:
                raise SpecError(f"{source}: job {i} needs \"spec\" and \"out\"")
            spec = job["spec"]
            if isinstance(spec, str):
                spec = json.loads(Path(spec).read_text(encoding="utf-8"))
            label = f"job {i} ({spec.get('name') or Path(job['out']).name})" if isinstance(spec, dict) else f"job {i}"
            jobs.append((spec, Path(job["out"]), label))
        return jobs
    if len(argv) == 2:
        spec_path = Path(argv[0])
        return [(json.loads(spec_path.read_text(encoding="utf-8")), Path(argv[1]), str(spec_path))]
    raise SpecError("usage: lodoc.py SPEC.json OUT.docx | lodoc.py --batch JOBS.json")


def main(argv: list[str]) -> int:
    """Command line entry: build the documents, print {"built", "errors"} as JSON."""
    try:
        jobs = _load_jobs(argv)
    except (SpecError, OSError, json.JSONDecodeError) as exc:
        print(json.dumps({"built": [], "errors": [str(exc)]}))
        return EXIT_SPEC_ERROR
    # SIGTERM (a caller's timeout) must not orphan soffice: exit through the cleanup in run_jobs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        built, errors = run_jobs(jobs)
    except OfficeError as exc:
        print(json.dumps({"built": [], "errors": [f"LibreOffice: {exc}"]}))
        return EXIT_NO_OFFICE
    print(json.dumps({"built": built, "errors": errors}))
    return EXIT_SPEC_ERROR if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
