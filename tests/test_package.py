"""Opening a package: real files open; every bad or hostile input is refused with a message that
names the file and a problem a secretariat officer can forward. Each hostile file is built here."""
from __future__ import annotations

import io
import os
import struct
import subprocess
import warnings
import zipfile
from pathlib import Path

import docx
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from docxio.errors import DocxioError, InvalidXmlError, PackageError, UnsupportedFormatError
from docxio.package import Limits, open_package
from tests.conftest import require_program

MiB = 1024 * 1024
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


# --- building files -----------------------------------------------------------------------------

def word_bytes(text: str = "PP1. Recalling its resolution 64/182,") -> bytes:
    """A real .docx written by python-docx."""
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def word_entries(text: str = "PP1. Recalling its resolution 64/182,") -> list[tuple[str, bytes]]:
    """The parts of a real .docx, to tamper with."""
    with zipfile.ZipFile(io.BytesIO(word_bytes(text))) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def make_zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        # zipfile warns on the duplicated names some tests write on purpose.
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "w", compression) as archive:
            for name, data in entries:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def replaced(entries: list[tuple[str, bytes]], name: str, data: bytes | None) -> list[tuple[str, bytes]]:
    """The entries with one part replaced (or removed when ``data`` is None)."""
    out = [(n, d) for n, d in entries if n != name]
    return out if data is None else out + [(name, data)]


def refused(data: bytes, error: type[DocxioError] = PackageError, **kwargs) -> str:
    """Open ``data`` as "Kenya.docx"; return the message, checking it names the file."""
    with pytest.raises(error) as caught:
        open_package(data, "Kenya.docx", **kwargs)
    assert caught.value.file == "Kenya.docx"
    assert str(caught.value).startswith("Kenya.docx: ")
    return caught.value.problem


# --- files that open ----------------------------------------------------------------------------

def test_a_word_document_opens_with_its_parts_relationships_and_content_types() -> None:
    package = open_package(word_bytes("PP1. Recalling"), "Kenya.docx")
    main = package.main_document()
    assert main == "word/document.xml"
    assert "PP1. Recalling" in "".join(package.xml(main).itertext())
    assert package.content_type(main) == WORD_MAIN
    assert package.content_type("docProps/thumbnail.jpeg") == "image/jpeg"
    assert package.related(main, "styles") == ["word/styles.xml"]
    assert package.read("/word/styles.xml") is not None
    assert package.read("word/nothing.xml") is None and package.xml("word/nothing.xml") is None
    assert not package.has_macros


def test_a_path_is_opened_and_errors_use_the_file_name(tmp_path: Path) -> None:
    good = tmp_path / "Egypt.docx"
    good.write_bytes(word_bytes())
    assert open_package(good).file == "Egypt.docx"
    bad = tmp_path / "Mexico.docx"
    bad.write_bytes(b"")
    with pytest.raises(UnsupportedFormatError, match=r"^Mexico\.docx: the file is empty"):
        open_package(bad)


def test_every_real_file_of_the_corpus_opens(real_corpus: Path) -> None:
    files = sorted(real_corpus.glob("*.docx"))
    assert len(files) >= 60
    for path in files:
        package = open_package(path)
        assert package.xml(package.main_document()) is not None, path.name
        assert not package.has_macros


# --- zip bombs ----------------------------------------------------------------------------------

def test_zip_bomb_a_hugely_compressed_part_is_refused_before_unpacking() -> None:
    bomb = b"\0" * (64 * MiB)
    problem = refused(make_zip(replaced(word_entries(), "word/document.xml", bomb)))
    assert "far too large once unpacked" in problem
    assert "'word/document.xml' is compressed" in problem


def test_zip_bomb_a_part_above_the_part_limit_is_refused() -> None:
    entries = replaced(word_entries(), "word/media/image1.png", os.urandom(3 * MiB))
    problem = refused(make_zip(entries), limits=Limits(max_part_size=2 * MiB))
    assert "far too large once unpacked" in problem and "'word/media/image1.png' unpacks to 3.0 MB" in problem


def test_zip_bomb_parts_together_above_the_total_limit_are_refused() -> None:
    entries = word_entries() + [(f"word/media/image{i}.png", os.urandom(2 * MiB)) for i in range(3)]
    problem = refused(make_zip(entries), limits=Limits(max_total_size=5 * MiB, max_part_size=3 * MiB))
    assert "far too large once unpacked" in problem and "unpacks to more than 5.0 MB" in problem


def test_zip_bomb_too_many_parts_is_refused() -> None:
    entries = word_entries() + [(f"word/media/p{i}.bin", b"") for i in range(5001)]
    problem = refused(make_zip(entries))
    assert "far too large once unpacked" in problem and "parts (the limit is 5000)" in problem


def _lie_about_size(data: bytes, part: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``part`` in both its local header and the directory."""
    raw = bytearray(data)
    encoded = part.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", raw, local + 26)[0]
        if bytes(raw[local + 30:local + 30 + name_len]) == encoded:
            struct.pack_into("<I", raw, local + 22, size)
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if bytes(raw[central + 46:central + 46 + name_len]) == encoded:
            struct.pack_into("<I", raw, central + 24, size)
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def test_zip_bomb_whose_directory_lies_about_the_size_is_stopped_while_unpacking() -> None:
    # The directory says 1000 bytes, so the directory checks pass; the data holds 64 MB.
    honest = make_zip(replaced(word_entries(), "word/document.xml", b"<" * (64 * MiB)))
    problem = refused(_lie_about_size(honest, "word/document.xml", 1000))
    assert "'word/document.xml' does not match the size or checksum recorded in the archive" in problem


# --- hostile or damaged archives ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("part", "reason"),
    [
        ("../../etc/cron.d/evil", "points outside the document"),
        ("word/../../evil.xml", "points outside the document"),
        ("/etc/passwd", "is an absolute path"),
        ("C:/Windows/evil.dll", "is an absolute path"),
        ("word\\..\\..\\evil.xml", "contains a backslash"),
    ],
)
def test_a_part_name_that_escapes_the_folder_is_refused(part: str, reason: str) -> None:
    problem = refused(make_zip(word_entries() + [(part, b"x")]))
    assert f"the part name {part!r} is unsafe: it {reason}" in problem


@pytest.mark.parametrize("duplicate", ["word/document.xml", "WORD/Document.xml"])
def test_a_duplicated_part_is_refused(duplicate: str) -> None:
    entries = word_entries()
    problem = refused(make_zip(entries + [(duplicate, b"<w:document/>")]))
    assert "appears more than once in the archive" in problem


def test_a_truncated_archive_is_refused() -> None:
    data = word_bytes()
    problem = refused(data[: len(data) // 2])
    assert problem.startswith("the file is truncated or damaged")
    assert "please send it again" in problem


def test_an_archive_with_a_damaged_part_is_refused() -> None:
    data = bytearray(make_zip(word_entries()))
    # Overwrite the compressed bytes of word/document.xml with garbage.
    start = data.find(b"word/document.xml") + len("word/document.xml")
    data[start:start + 200] = bytes(range(200))
    problem = refused(bytes(data))
    assert "word/document.xml" in problem and "please send it again" in problem


def test_a_zip_encrypted_with_a_password_is_refused() -> None:
    raw = bytearray(make_zip(word_entries()))
    # Set the "encrypted" flag on every entry, as zip tools do when given a password.
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        while at != -1:
            struct.pack_into("<H", raw, at + flag_at, struct.unpack_from("<H", raw, at + flag_at)[0] | 1)
            at = raw.find(signature, at + 4)
    assert "password-protected file" in refused(bytes(raw), UnsupportedFormatError)


def test_missing_content_types_is_refused() -> None:
    problem = refused(make_zip(replaced(word_entries(), "[Content_Types].xml", None)))
    assert "it has no [Content_Types].xml" in problem


def test_missing_main_document_part_is_refused() -> None:
    problem = refused(make_zip(replaced(word_entries(), "word/document.xml", None)))
    assert "its main document part 'word/document.xml' is missing" in problem


def test_missing_package_relationships_is_refused() -> None:
    problem = refused(make_zip(replaced(word_entries(), "_rels/.rels", None)))
    assert "it does not say which part is the main document" in problem


# --- XML attacks --------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def test_billion_laughs_in_the_document_is_refused_without_expanding() -> None:
    package = open_package(make_zip(replaced(word_entries(), "word/document.xml", BILLION_LAUGHS)), "Kenya.docx")
    with pytest.raises(InvalidXmlError) as caught:
        package.xml("word/document.xml")
    assert caught.value.file == "Kenya.docx (word/document.xml)"
    assert "declares a DTD with entities" in caught.value.problem
    assert "nothing was expanded" in caught.value.problem


def test_billion_laughs_in_content_types_is_refused_at_opening() -> None:
    types = BILLION_LAUGHS.replace(b"<w:document", b"<Types><w:document").replace(b"</w:document>", b"</w:document></Types>")
    with pytest.raises(InvalidXmlError, match=r"^Kenya\.docx \(\[Content_Types\]\.xml\): .*declares a DTD"):
        open_package(make_zip(replaced(word_entries(), "[Content_Types].xml", types)), "Kenya.docx")


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    package = open_package(make_zip(replaced(word_entries(), "word/document.xml", xxe)), "Kenya.docx")
    with pytest.raises(InvalidXmlError) as caught:
        package.xml("word/document.xml")
    assert "declares a DTD" in caught.value.problem
    assert "TOP-SECRET" not in str(caught.value)


def test_malformed_xml_names_the_file_and_the_part() -> None:
    package = open_package(make_zip(replaced(word_entries(), "word/document.xml", b"<w:document><w:body>")), "Kenya.docx")
    with pytest.raises(InvalidXmlError, match=r"^Kenya\.docx \(word/document\.xml\): the file is damaged: its XML is not well-formed"):
        package.xml("word/document.xml")


# --- other formats ------------------------------------------------------------------------------

def test_a_password_protected_word_file_is_named() -> None:
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(word_bytes())).encrypt("s3cret", encrypted)
    problem = refused(encrypted.getvalue(), UnsupportedFormatError)
    assert problem == "password-protected file: please send it without a password"


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("target", "extension", "expected"),
    [
        ("doc:MS Word 97", "doc", "legacy Word 97-2003 .doc: please save as .docx"),
        ("odt", "odt", "this is an OpenDocument text (.odt), not a Word document"),
        ("rtf", "rtf", "this is a Rich Text Format (.rtf) file, not a Word document"),
        ("pdf", "pdf", "this is a PDF file, not a Word document"),
        ("docx:Office Open XML Text", "docx", None),
    ],
)
def test_files_libreoffice_saves_in_other_formats_are_named(tmp_path: Path, target: str, extension: str,
                                                              expected: str | None) -> None:
    soffice = require_program("soffice")
    source = tmp_path / "Iran.docx"
    source.write_bytes(word_bytes("OP1. Decides to remain seized of the matter."))
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    converted = (tmp_path / "out" / f"Iran.{extension}").read_bytes()
    if expected is None:
        # ISO Strict / "Office Open XML Text" is still a Word document and opens.
        package = open_package(converted, "Kenya.docx")
        assert "Decides to remain seized" in "".join(package.xml(package.main_document()).itertext())
    else:
        assert expected in refused(converted, UnsupportedFormatError)


def test_a_damaged_ole_file_is_still_named_as_a_legacy_office_file() -> None:
    problem = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, UnsupportedFormatError)
    assert "legacy Office file" in problem


def _macro_entries(with_vba: bool, main_type: str) -> list[tuple[str, bytes]]:
    entries = word_entries()
    types = dict(entries)["[Content_Types].xml"].replace(WORD_MAIN.encode(), main_type.encode())
    entries = replaced(entries, "[Content_Types].xml", types)
    if with_vba:
        entries.append(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 Attribute VB_Name = \"Module1\""))
    return entries


def test_a_docm_with_macros_is_refused_saying_macros_were_present() -> None:
    problem = refused(make_zip(_macro_entries(True, DOCM_MAIN)), UnsupportedFormatError)
    assert "macro-enabled Word document (.docm) and it contains macros" in problem
    assert "macros are never run" in problem


def test_a_docm_without_macros_is_refused_saying_none_were_found() -> None:
    problem = refused(make_zip(_macro_entries(False, DOCM_MAIN)), UnsupportedFormatError)
    assert "no macros were found in it" in problem


def test_a_docx_hiding_a_vba_project_is_refused_as_having_macros() -> None:
    problem = refused(make_zip(_macro_entries(True, WORD_MAIN)), UnsupportedFormatError)
    assert problem.startswith("this Word document contains macros (a VBA project); macros are never run")


def test_a_caller_may_open_a_docm_without_running_its_macros() -> None:
    package = open_package(make_zip(_macro_entries(True, DOCM_MAIN)), "Kenya.docm", allow_macros=True)
    assert package.has_macros
    assert package.main_document() == "word/document.xml"


def test_an_odt_is_named() -> None:
    odt = make_zip(
        [("mimetype", b"application/vnd.oasis.opendocument.text"),
         ("content.xml", b"<office:document-content/>"),
         ("META-INF/manifest.xml", b"<manifest:manifest/>")],
        zipfile.ZIP_STORED,
    )
    problem = refused(odt, UnsupportedFormatError)
    assert problem.startswith("this is an OpenDocument text (.odt), not a Word document")
    assert "save it as a Word Document (.docx)" in problem


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "this is a PDF file, not a Word document"),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} PP1. Recalling\\par }", "this is a Rich Text Format (.rtf) file"),
        ("PP1. Recalling its resolution — Égypte\n".encode(), "this is a plain text file, not a Word document"),
        (b"PKI certificates: PP1 agreed\n", "this is a plain text file, not a Word document"),
        (b"<html><body><p>PP1</p></body></html>", "this is a web page (HTML), not a Word document"),
        (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><pkg:package/>',
         "this is a Word XML document (.xml), not a Word document"),
        (bytes(range(256)) * 4, "the file format is not recognised"),
    ],
)
def test_other_formats_are_named(data: bytes, expected: str) -> None:
    assert expected in refused(data, UnsupportedFormatError)


def test_an_empty_file_is_named() -> None:
    assert refused(b"", UnsupportedFormatError) == "the file is empty (0 bytes): please send the document again"


def _office_zip(main: str, main_type: str) -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{main}" ContentType="{main_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        f'Target="{main}"/></Relationships>'
    )
    return make_zip([("[Content_Types].xml", types.encode()), ("_rels/.rels", rels.encode()), (main, b"<x/>")])


@pytest.mark.parametrize(
    ("main", "main_type", "expected"),
    [
        ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
         "this is an Excel workbook, not a Word document"),
        ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
         "this is a PowerPoint presentation, not a Word document"),
    ],
)
def test_other_office_files_are_named(main: str, main_type: str, expected: str) -> None:
    assert expected in refused(_office_zip(main, main_type), UnsupportedFormatError)


def test_a_plain_zip_is_named() -> None:
    problem = refused(make_zip([("PP1.txt", b"Recalling")]), UnsupportedFormatError)
    assert problem.startswith("this is a zip archive, not a Word document")


def test_a_file_above_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.docx"
    path.write_bytes(word_bytes())
    problem = refused(path.read_bytes(), limits=Limits(max_file_size=1000))
    assert problem.startswith("the file is too large to read")
    with pytest.raises(PackageError, match="too large"):
        open_package(path, limits=Limits(max_file_size=1000))

