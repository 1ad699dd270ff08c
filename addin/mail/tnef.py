"""TNEF (winmail.dat): the files Outlook wraps into one attachment when it sends "rich text"."""
from __future__ import annotations

from addin.mail.mail_message import Attachment, Found, MailMessage, MessageError
from addin.mail.names import guess_type, sanitise_filename
from addin.mail.readings import assemble


def walk_tnef(data: bytes, found: Found, inner: bool) -> bool:
    """Add the files inside a winmail.dat; False when it is not TNEF (kept as a plain file then)."""
    try:
        import tnefparse

        tnef = tnefparse.TNEF(data)
    except Exception as exc:  # tnefparse raises ValueError and others on a non-TNEF payload
        found.notes.append(f"winmail.dat is not a readable TNEF file ({exc}); kept as it is")
        return False
    for index, item in enumerate(tnef.attachments):
        try:
            long_name = item.long_filename()
        except Exception:
            long_name = getattr(item, "name", "") or ""
        content = item.data if isinstance(item.data, bytes) else b""
        name = sanitise_filename(long_name or "", guess_type(long_name or ""), index)
        found.attachments.append(Attachment(name, content, guess_type(name), inner, "winmail.dat"))
    return True


def read_bare_tnef(data: bytes, filename: str) -> MailMessage:
    """A winmail.dat saved on its own: a message with its files and no headers."""
    found = Found()
    if not walk_tnef(data, found, inner=False):
        raise MessageError(filename, "not a readable winmail.dat (TNEF) file")
    return assemble(filename, "tnef", None, None, "", [], found)
