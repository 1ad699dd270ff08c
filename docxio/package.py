"""The .docx package: a zip of parts, found through content types and relationships.

Opening is safe: the file is recognised before anything is unpacked (legacy .doc, encrypted
documents, .odt, PDF, RTF, text and other Office files are named for the user), the zip directory
is checked against ``Limits`` (zip bombs, hostile part names, duplicates) and the limits are
enforced again while parts are decompressed, because a zip directory can lie. XML is parsed
without entity expansion, DTDs or network access, and a part that declares a DTD is refused.
Every refusal is a ``docxio.errors`` exception naming the file and the problem.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import olefile
from lxml import etree

from docxio.errors import InvalidXmlError, PackageError, UnsupportedFormatError
from docxio.ooxml import CONTENT_TYPES_NS as CT_NS, RELATIONSHIPS_NS as REL_NS

_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False, load_dtd=False
)

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much a package may hold before it is refused as a possible zip bomb.

    The defaults are far above any negotiation draft (a long resolution with images is a few
    MB) and far below what would exhaust a server. ``max_ratio`` applies only to parts larger
    than ``ratio_min_size``: small parts (styles, settings) legitimately compress very well.
    """

    max_file_size: int = 100 * MiB
    max_parts: int = 5000
    max_part_size: int = 128 * MiB
    max_total_size: int = 256 * MiB
    max_ratio: float = 250.0
    ratio_min_size: int = 8 * MiB


DEFAULT_LIMITS = Limits()

#: Content types of a main document part we read (documents and templates).
WORD_MAIN_TYPES = frozenset({
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
})
#: Content types of macro-enabled main documents (.docm, .dotm).
MACRO_MAIN_TYPES = frozenset({
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
})
#: Content types of VBA macro parts.
MACRO_PART_TYPES = frozenset({
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-word.vbaData+xml",
    "application/vnd.ms-office.vbaProjectSignature",
})

_PLEASE_DOCX = "please save it as a Word Document (.docx) and send it again"

#: OpenDocument mimetypes → what to call them.
_ODF_NAMES = {
    "application/vnd.oasis.opendocument.text": "an OpenDocument text (.odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
}

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part: id, type (transitional or strict URI), resolved target."""

    id: str
    type: str
    target: str
    external: bool = False


@dataclass
class Package:
    """The parts of an opened package, by name without leading slash ("word/document.xml").

    ``content_types`` holds the [Content_Types].xml overrides by part name, ``default_types``
    the defaults by extension; ``content_type`` combines them. ``has_macros`` is True when the
    package holds VBA macros (only possible when the caller allowed them: they are never run).
    """

    file: str
    parts: dict[str, bytes]
    content_types: dict[str, str] = field(default_factory=dict)
    default_types: dict[str, str] = field(default_factory=dict)
    has_macros: bool = False

    def read(self, name: str) -> bytes | None:
        """The bytes of a part, or None when the package has no such part."""
        return self.parts.get(name.lstrip("/"))

    def xml(self, name: str) -> etree._Element | None:
        """The parsed root element of a part, or None when the package has no such part."""
        data = self.read(name)
        if data is None:
            return None
        return parse_xml(data, f"{self.file} ({name.lstrip('/')})")

    def content_type(self, name: str) -> str | None:
        """The content type of a part: its override, else the default for its extension."""
        name = name.lstrip("/")
        if name in self.content_types:
            return self.content_types[name]
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        return self.default_types.get(extension)

    def relationships(self, name: str) -> list[Relationship]:
        """Relationships of a part ("" for the package itself), targets resolved to part names."""
        folder, base = posixpath.split(name.lstrip("/"))
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        root = self.xml(rels_name)
        if root is None:
            return []
        rels = []
        for rel in root.iter(f"{{{REL_NS}}}Relationship"):
            target = rel.get("Target", "")
            external = rel.get("TargetMode") == "External"
            if not external:
                target = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
            rels.append(Relationship(rel.get("Id", ""), rel.get("Type", ""), target, external))
        return rels

    def related(self, name: str, type_suffix: str) -> list[str]:
        """Names of the parts related to ``name`` whose relationship type ends with ``/type_suffix``
        (so transitional and strict URIs both match)."""
        return [
            r.target
            for r in self.relationships(name)
            if not r.external and r.type.rsplit("/", 1)[-1] == type_suffix and r.target in self.parts
        ]

    def main_document(self) -> str:
        """The name of the main document part (word/document.xml in most files)."""
        found = self.related("", "officeDocument")
        if not found:
            raise PackageError(
                self.file, "the file is damaged: it has no main document part, so there is no text to read"
            )
        return found[0]


_DTD_PROBLEM = (
    "the file was refused: its XML declares a DTD with entities, which Word never writes "
    "(a possible entity-expansion or external-entity attack); nothing was expanded"
)


_DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse XML safely (no entity expansion, no DTD, no network); errors name ``where``.

    A part with a document type declaration is refused before parsing: Office never writes one,
    and it is how entity attacks (billion laughs, external entities reading local files) are
    carried. Searching the raw bytes is safe because "<!DOCTYPE" in text would be escaped.
    """
    if any(mark in data for mark in _DOCTYPE_MARKS):
        raise InvalidXmlError(where, _DTD_PROBLEM)
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidXmlError(where, f"the file is damaged: its XML is not well-formed ({exc})") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise InvalidXmlError(where, _DTD_PROBLEM)
    return root


def open_package(
    source: str | Path | bytes,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    *,
    allow_macros: bool = False,
) -> Package:
    """Open a .docx from a path or bytes. ``name`` is how errors refer to the file.

    Raises ``UnsupportedFormatError`` for files of another format (legacy .doc, password-protected,
    .docm with or without macros, .odt, PDF, RTF, text, Excel, PowerPoint...) and ``PackageError``
    for damaged or hostile archives (truncated, zip bombs beyond ``limits``, unsafe or duplicated
    part names, missing parts). With ``allow_macros`` a macro-enabled document is opened instead
    of refused, with ``has_macros`` set; its macros are never read or run.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            size = path.stat().st_size
            if size > limits.max_file_size:
                raise PackageError(name, _too_large_file(size, limits))
            data = path.read_bytes()
        except OSError as exc:
            raise PackageError(name, f"the file could not be read ({exc.strerror or exc})") from exc
    else:
        data = bytes(source)
        name = name or "document"
    if len(data) > limits.max_file_size:
        raise PackageError(name, _too_large_file(len(data), limits))
    _refuse_other_formats(data, name)
    archive = _open_zip(data, name)
    with archive:
        infos = _check_directory(archive, name, limits)
        odf = _odf_mimetype(archive, infos, name, limits)
        if odf is not None:
            raise UnsupportedFormatError(name, f"this is {odf}, not a Word document: {_PLEASE_DOCX}")
        parts = _read_parts(archive, infos, name, limits)
    return _package_from_parts(name, parts, allow_macros)


def _too_large_file(size: int, limits: Limits) -> str:
    return (
        f"the file is too large to read ({size / MiB:.1f} MB; the limit is "
        f"{limits.max_file_size / MiB:.0f} MB): please send a smaller file, e.g. without images"
    )


# --- recognising what the file is -------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Local file header, empty archive, spanned archive.
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _refuse_other_formats(data: bytes, name: str) -> None:
    """Raise UnsupportedFormatError when the bytes are recognisably not a zip package."""
    if not data:
        raise UnsupportedFormatError(name, "the file is empty (0 bytes): please send the document again")
    if data.startswith(_OLE_MAGIC):
        raise UnsupportedFormatError(name, _ole_problem(data))
    if data.startswith(_ZIP_MAGICS):
        return
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        raise UnsupportedFormatError(
            name, "this is a PDF file, not a Word document: please send the Word (.docx) file"
        )
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormatError(name, f"this is a Rich Text Format (.rtf) file, not a Word document: {_PLEASE_DOCX}")
    lower = head.lower()
    if lower.startswith(b"<"):
        if b"<?mso-application" in lower and b"word.document" in lower:
            what = "a Word XML document (.xml)"
        elif b"<html" in lower or b"<!doctype html" in lower:
            what = "a web page (HTML)"
        else:
            what = "an XML file"
        raise UnsupportedFormatError(name, f"this is {what}, not a Word document: {_PLEASE_DOCX}")
    if _looks_like_text(data[:8192]):
        raise UnsupportedFormatError(
            name, "this is a plain text file, not a Word document: please send the Word (.docx) file"
        )
    raise UnsupportedFormatError(
        name, "this is not a Word document (the file format is not recognised): please send the Word (.docx) file"
    )


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still text.
        if exc.start < len(sample) - 3:
            return False
    return True


def _ole_problem(data: bytes) -> str:
    """Name an OLE compound file: encrypted OOXML, legacy .doc, or another legacy Office file."""
    try:
        # BytesIO, not bytes: olefile takes short bytes for a file name.
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - olefile raises many types on damaged files; naming beats crashing
        # Damaged compound file: say what it looks like without trusting its directory.
        streams = set()
    if "encryptedpackage" in streams:
        return "password-protected file: please send it without a password"
    if "worddocument" in streams:
        return "legacy Word 97-2003 .doc: please save as .docx"
    if "workbook" in streams or "book" in streams:
        return "this is a legacy Excel workbook (.xls), not a Word document: please send the Word (.docx) file"
    if "powerpoint document" in streams:
        return "this is a legacy PowerPoint presentation (.ppt), not a Word document: please send the Word (.docx) file"
    return (
        "this is a legacy Office file (OLE compound file), not a Word .docx document: "
        + _PLEASE_DOCX
    )


# --- the zip directory ------------------------------------------------------------------------

def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PackageError(
            name,
            "the file is truncated or damaged (its zip archive is incomplete): please send it again "
            f"({exc})",
        ) from exc
    except (EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise PackageError(name, f"the file is damaged (its zip archive cannot be read: {exc}): please send it again") from exc


def _unsafe_name_reason(part: str) -> str | None:
    """Why a part name could escape a folder when unpacked, or None when it is a safe name."""
    if "\\" in part:
        return "it contains a backslash"
    if part.startswith("/") or _DRIVE.match(part):
        return "it is an absolute path"
    if any(ord(ch) < 32 for ch in part):
        return "it contains control characters"
    segments = part.rstrip("/").split("/")
    if any(seg in ("..", ".") for seg in segments):
        return "it points outside the document (..)"
    if any(seg == "" for seg in segments):
        return "it has an empty path segment"
    return None


def _check_directory(archive: zipfile.ZipFile, name: str, limits: Limits) -> list[zipfile.ZipInfo]:
    """Check the zip directory before anything is decompressed; return the file entries."""
    infos = archive.infolist()
    if len(infos) > limits.max_parts:
        raise PackageError(
            name,
            f"the file is refused because it is far too large once unpacked (a possible zip bomb): "
            f"it holds {len(infos)} parts (the limit is {limits.max_parts}); please send the document "
            f"saved again from Word",
        )
    for info in infos:
        reason = _unsafe_name_reason(info.filename)
        if reason is not None:
            raise PackageError(
                name,
                f"the file was refused as possibly hostile: the part name {info.filename!r} is unsafe: "
                f"{reason}",
            )
    files = [info for info in infos if not info.is_dir()]
    # OPC part names are case-insensitive, so "word/Document.xml" duplicates "word/document.xml".
    counts = Counter(info.filename.casefold() for info in files)
    duplicated = sorted({info.filename for info in files if counts[info.filename.casefold()] > 1})
    if duplicated:
        raise PackageError(
            name,
            f"the file is damaged: the part {duplicated[0]!r} appears more than once in the archive, "
            "so which copy counts is ambiguous",
        )
    for info in files:
        if info.flag_bits & 0x1:
            raise UnsupportedFormatError(
                name, "password-protected file (encrypted zip archive): please send it without a password"
            )
    total = 0
    for info in files:
        if info.file_size > limits.max_part_size:
            raise PackageError(name, _bomb(f"its part {info.filename!r} unpacks to {_mb(info.file_size)}", limits))
        if info.file_size > limits.ratio_min_size:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise PackageError(
                    name,
                    _bomb(f"its part {info.filename!r} is compressed {ratio:.0f} times "
                          f"(the limit is {limits.max_ratio:.0f})", limits),
                )
        total += info.file_size
        if total > limits.max_total_size:
            raise PackageError(name, _bomb(f"it unpacks to more than {_mb(limits.max_total_size)}", limits))
    return files


def _mb(size: int) -> str:
    return f"{size / MiB:.1f} MB"


def _bomb(detail: str, limits: Limits) -> str:
    return (
        f"the file is refused because it is far too large once unpacked (a possible zip bomb): {detail}; "
        f"a Word document may unpack to at most {_mb(limits.max_total_size)}, {_mb(limits.max_part_size)} "
        f"per part — please send the document saved again from Word, without large embedded files"
    )


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, budget: int) -> bytes:
    """Decompress one part, counting what actually comes out: a lying directory cannot make us
    produce more than the part limit, the remaining total ``budget`` or the declared size."""
    ceiling = min(limits.max_part_size, budget, info.file_size)
    chunks: list[bytes] = []
    produced = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                produced += len(chunk)
                if produced > ceiling:
                    raise PackageError(
                        name,
                        _bomb(f"its part {info.filename!r} unpacks to more than its recorded size", limits),
                    )
                if produced > limits.ratio_min_size and produced / max(info.compress_size, 1) > limits.max_ratio:
                    raise PackageError(
                        name, _bomb(f"its part {info.filename!r} is compressed more than "
                                    f"{limits.max_ratio:.0f} times", limits)
                    )
                chunks.append(chunk)
    except zipfile.BadZipFile as exc:
        raise PackageError(
            name,
            f"the file is damaged or was tampered with: its part {info.filename!r} does not match the size "
            f"or checksum recorded in the archive ({exc}): please send it again",
        ) from exc
    except (EOFError, zlib.error, OSError, ValueError) as exc:
        raise PackageError(
            name, f"the file is truncated or damaged: its part {info.filename!r} cannot be unpacked ({exc}): "
            "please send it again",
        ) from exc
    except NotImplementedError as exc:
        raise PackageError(
            name, f"the file uses a zip compression Word does not write ({exc}): {_PLEASE_DOCX}"
        ) from exc
    return b"".join(chunks)


def _read_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> dict[str, bytes]:
    parts: dict[str, bytes] = {}
    remaining = limits.max_total_size
    for info in infos:
        data = _read_part(archive, info, name, limits, remaining)
        remaining -= len(data)
        parts[info.filename] = data
    return parts


def _odf_mimetype(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> str | None:
    """What an OpenDocument archive is ("an OpenDocument text (.odt)"), or None for other zips."""
    info = next((i for i in infos if i.filename == "mimetype"), None)
    if info is None or info.file_size > 200:
        return None
    mimetype = _read_part(archive, info, name, limits, limits.max_total_size).decode("ascii", "replace").strip()
    if mimetype in _ODF_NAMES:
        return _ODF_NAMES[mimetype]
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return f"an OpenDocument file ({mimetype})"
    return None


# --- what the package is ----------------------------------------------------------------------

def _package_from_parts(name: str, parts: dict[str, bytes], allow_macros: bool) -> Package:
    """Build the Package, then check it is a Word document: content types, main part, macros."""
    package = Package(name, parts)
    types = package.xml("[Content_Types].xml")
    if types is None:
        if any(part.startswith("word/") for part in parts):
            raise PackageError(
                name,
                "the file is damaged: it has no [Content_Types].xml, the list of its parts every Word "
                "document has: please save it again in Word and send it again",
            )
        raise UnsupportedFormatError(
            name, "this is a zip archive, not a Word document: please send the Word (.docx) file itself"
        )
    for override in types.iter(f"{{{CT_NS}}}Override"):
        package.content_types[override.get("PartName", "").lstrip("/")] = override.get("ContentType", "")
    for default in types.iter(f"{{{CT_NS}}}Default"):
        package.default_types[default.get("Extension", "").lower()] = default.get("ContentType", "")
    main = _main_part_name(package)
    main_type = (package.content_type(main) or "").strip()
    package.has_macros = _has_macros(package)
    if main_type in MACRO_MAIN_TYPES or (package.has_macros and main_type in WORD_MAIN_TYPES):
        if not allow_macros:
            raise UnsupportedFormatError(name, _macro_problem(package.has_macros, main_type in MACRO_MAIN_TYPES))
    elif main_type not in WORD_MAIN_TYPES:
        raise UnsupportedFormatError(name, _other_office_problem(main_type))
    return package


def _main_part_name(package: Package) -> str:
    """The main part named by the package relationships, which must exist."""
    rels = [r for r in package.relationships("") if r.type.rsplit("/", 1)[-1] == "officeDocument"]
    if not rels or rels[0].external:
        raise PackageError(
            package.file,
            "the file is damaged: it does not say which part is the main document, so there is no text to read",
        )
    target = rels[0].target
    if target not in package.parts:
        raise PackageError(
            package.file,
            f"the file is damaged: its main document part {target!r} is missing, so there is no text to read",
        )
    return target


def _has_macros(package: Package) -> bool:
    """True when the package holds a VBA project (by content type or by the usual part name)."""
    return any(
        posixpath.basename(part).lower() in ("vbaproject.bin", "vbadata.xml")
        or (package.content_type(part) or "") in MACRO_PART_TYPES
        for part in package.parts
    )


def _macro_problem(has_macros: bool, docm: bool) -> str:
    if has_macros and not docm:
        return (
            "this Word document contains macros (a VBA project); macros are never run, and the file was "
            "not read: please save it as a Word Document (.docx) without macros and send it again"
        )
    if has_macros:
        return (
            "this is a macro-enabled Word document (.docm) and it contains macros; macros are never run, "
            "and the file was not read: please save it as a Word Document (.docx) without macros and send it again"
        )
    return (
        "this is a macro-enabled Word document (.docm), although no macros were found in it; the file was "
        "not read: please save it as a Word Document (.docx) and send it again"
    )


def _other_office_problem(main_type: str) -> str:
    if "spreadsheetml" in main_type or "ms-excel" in main_type:
        what = "an Excel workbook"
    elif "presentationml" in main_type or "ms-powerpoint" in main_type:
        what = "a PowerPoint presentation"
    elif "visio" in main_type or "drawingml" in main_type:
        what = "a Visio drawing"
    elif main_type:
        what = f"an Office file of another kind ({main_type})"
    else:
        what = "an Office file whose main part has no content type"
    return f"this is {what}, not a Word document: please send the Word (.docx) file"
