"""``read_message``: one message's bytes, whatever its format, to a ``MailMessage``."""
from __future__ import annotations

import hashlib
from dataclasses import replace

from addin.mail.mail_message import OLE_MAGIC, TNEF_MAGIC, ZIP_MAGIC, MailMessage, MessageError
from addin.mail.mime import read_eml
from addin.mail.outlook import read_msg
from addin.mail.tnef import read_bare_tnef


def read_message(data: bytes, filename: str) -> MailMessage:
    """Read one message (.eml, .msg or a bare winmail.dat) from its bytes.

    ``filename`` is how errors and readings refer to the file. The format is found from the
    content (an Outlook .msg is an OLE file whatever its name), so a misnamed file still reads.
    Raises ``MessageError`` naming the file when it is no message at all.
    """
    if not data.strip():
        raise MessageError(filename, "the file is empty, not a mail message")
    if data.startswith(ZIP_MAGIC):
        raise MessageError(filename, "this is a zip or Word file, not a mail message")
    try:
        if data.startswith(OLE_MAGIC):
            message = read_msg(data, filename)
        elif data.startswith(TNEF_MAGIC):
            message = read_bare_tnef(data, filename)
        else:
            message = read_eml(data, filename)
    except MessageError:
        raise
    except Exception as exc:  # hostile structure the parsers did not foresee: an error, not a crash
        raise MessageError(filename, f"the message could not be read ({type(exc).__name__}: {exc})") from exc
    return replace(message, sha256=hashlib.sha256(data).hexdigest())
