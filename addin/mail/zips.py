"""Word documents and zips of documents among the attachments.

A zip of documents is opened safely: members counted and size-limited before reading, folder
paths dropped, encrypted members skipped with a note (a zip bomb must not take the server down).
"""
from __future__ import annotations

import io
import zipfile

from addin.mail.mail_message import DOCX_TYPE, ZIP_MAGIC, Attachment
from addin.mail.names import sanitise_filename

ZIP_MAX_MEMBERS = 200
ZIP_MAX_MEMBER_SIZE = 50 * 1024**2
ZIP_MAX_TOTAL_SIZE = 200 * 1024**2

ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/x-zip")
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError)


def is_word_document(attachment: Attachment) -> bool:
    """True for a .docx: by extension, by MIME type, or — for a nameless or misnamed file — by
    being a zip that holds word/document.xml. A legacy .doc or a .docm is not one."""
    if attachment.extension == ".docx":
        return True
    if attachment.extension in (".doc", ".pdf", ".odt", ".zip", ".xlsx", ".pptx", ".docm", ".dotx"):
        return False
    if attachment.content_type == DOCX_TYPE:
        return True
    return zip_has(attachment.data, "word/document.xml")


def zip_has(data: bytes, member: str) -> bool:
    """True when ``data`` is a readable zip holding ``member``."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        return False


def open_zips(attachments: list[Attachment], notes: list[str]) -> list[Attachment]:
    """The attachments, each zip of .docx files followed by those files (the zip is kept too)."""
    result = []
    for attachment in attachments:
        result.append(attachment)
        if attachment.extension != ".zip" and attachment.content_type not in ZIP_TYPES:
            continue
        if zip_has(attachment.data, "word/document.xml"):
            continue  # a .docx sent as .zip is a document, not an archive of documents
        inside = documents_in_zip(attachment, notes)
        if inside:
            notes.append(f"{len(inside)} Word document(s) taken from the zip {attachment.name}")
        result.extend(inside)
    return result


def documents_in_zip(archive_file: Attachment, notes: list[str]) -> list[Attachment]:
    """The .docx files of a zip, opened safely: members counted and size-limited before reading,
    folder paths dropped, encrypted members skipped with a note."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(archive_file.data))
        members = archive.infolist()
    except _ZIP_ERRORS as exc:
        notes.append(f"the zip {archive_file.name} could not be opened ({exc})")
        return []
    if len(members) > ZIP_MAX_MEMBERS:
        notes.append(f"the zip {archive_file.name} holds {len(members)} files, more than {ZIP_MAX_MEMBERS}: not opened")
        return []
    found: list[Attachment] = []
    total = 0
    with archive:
        for info in members:
            base = _member_name(info)
            if base is None:
                continue
            problem = _member_problem(info, base, total)
            if problem:
                notes.append(f"{base} in the zip {archive_file.name} {problem}")
                continue
            try:
                with archive.open(info) as handle:
                    # Read one byte past the limit: a lying header cannot smuggle more.
                    content = handle.read(ZIP_MAX_MEMBER_SIZE + 1)
            except (*_ZIP_ERRORS, RuntimeError, OSError) as exc:
                notes.append(f"{base} in the zip {archive_file.name} could not be read ({exc})")
                continue
            if len(content) > ZIP_MAX_MEMBER_SIZE:
                notes.append(f"{base} in the zip {archive_file.name} is too large: not opened")
                continue
            total += len(content)
            name = sanitise_filename(base, DOCX_TYPE, len(found))
            found.append(Attachment(name, content, DOCX_TYPE, archive_file.inner, archive_file.name))
    return found


def _member_name(info: zipfile.ZipInfo) -> str | None:
    """The file name of a .docx member without its folders; None for anything else (folders,
    macOS resource forks, Word's "~$" lock files)."""
    base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if info.is_dir() or "__MACOSX/" in info.filename or base.startswith(("~$", "._")):
        return None
    return base if base.lower().endswith(".docx") else None


def _member_problem(info: zipfile.ZipInfo, base: str, total: int) -> str | None:
    """Why a member is not opened (password, size as declared), or None."""
    if info.flag_bits & 0x1:
        return "is password-protected: not opened"
    if info.file_size > ZIP_MAX_MEMBER_SIZE or total + info.file_size > ZIP_MAX_TOTAL_SIZE:
        return "is too large: not opened"
    return None
