"""List numbering as Word shows it: numbering XML built here, python-docx's list styles, documents
LibreOffice wrote, and real files checked against the numbers LibreOffice itself renders."""
from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from docxio.numbering import NumberingRef, format_number, list_labels, read_numbering
from docxio.ooxml import qn, story_paragraphs
from docxio.package import Package, open_package
from tests.conftest import require_program

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


# --- building documents -------------------------------------------------------------------------

def _docx_bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def package_with(numbering: str, body: str, styles: str = "") -> Package:
    """A python-docx document whose numbering.xml and body are replaced by the XML given, and
    ``styles`` (w:style elements) added to its styles."""
    with zipfile.ZipFile(io.BytesIO(_docx_bytes(docx.Document()))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["word/numbering.xml"] = f"<w:numbering {W_NS}>{numbering}</w:numbering>".encode()
    parts["word/document.xml"] = f"<w:document {W_NS}><w:body>{body}</w:body></w:document>".encode()
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(b"</w:styles>", styles.encode() + b"</w:styles>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return open_package(out.getvalue(), "test.docx")


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')


def abstract(abstract_id: int, *levels: str, extra: str = "") -> str:
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{extra}{"".join(levels)}</w:abstractNum>'


def num(num_id: int, abstract_id: int, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def numpr(num_id: int | None = None, ilvl: int | None = None, inserted: bool = False) -> str:
    inner = ""
    if ilvl is not None:
        inner += f'<w:ilvl w:val="{ilvl}"/>'
    if num_id is not None:
        inner += f'<w:numId w:val="{num_id}"/>'
    if inserted:
        inner += '<w:ins w:id="9" w:author="Iran" w:date="2027-02-10T09:30:00Z"/>'
    return f"<w:numPr>{inner}</w:numPr>"


def para(text: str, props: str = "") -> str:
    return f"<w:p><w:pPr>{props}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def style(style_id: str, props: str, based_on: str | None = None, kind: str = "paragraph") -> str:
    parent = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{style_id}"/>{parent}'
            f"<w:pPr>{props}</w:pPr></w:style>")


def body_paragraphs(package: Package) -> list:
    return story_paragraphs(package.xml(package.main_document()).find(qn("w:body")))


def labels_of(package: Package, original: bool = True) -> list[str | None]:
    numbering = read_numbering(package)
    refs = [numbering.paragraph_ref(p, original=original) for p in body_paragraphs(package)]
    return [label.text if label else None for label in list_labels(numbering, refs)]


UN_LIST = abstract(
    1,
    lvl(0, "decimal", "%1."),
    lvl(1, "lowerLetter", "(%2)"),
    lvl(2, "lowerRoman", "(%3)"),
)


# --- numbering XML built here -------------------------------------------------------------------

def test_operative_paragraphs_with_lettered_and_roman_sub_paragraphs() -> None:
    levels = [0, 1, 1, 2, 2, 1, 0, 0, 1]
    package = package_with(UN_LIST + num(5, 1), "".join(para(f"p{i}", numpr(5, level)) for i, level in enumerate(levels)))
    assert labels_of(package) == ["1.", "(a)", "(b)", "(i)", "(ii)", "(c)", "2.", "3.", "(a)"]


def test_list_label_values() -> None:
    package = package_with(UN_LIST + num(5, 1), para("a", numpr(5, 0)) + para("b", numpr(5, 1)))
    numbering = read_numbering(package)
    refs = [numbering.paragraph_ref(p) for p in body_paragraphs(package)]
    assert refs == [NumberingRef("5", 0), NumberingRef("5", 1)]
    second = list_labels(numbering, refs)[1]
    assert (second.text, second.level, second.num_id, second.ordinal) == ("(a)", 1, "5", 1)


def test_unnumbered_paragraphs_and_num_id_zero_do_not_count() -> None:
    body = (para("The Commission on Narcotic Drugs,") + para("OP1", numpr(5, 0)) + para("x", numpr(0, 0))
            + para("OP2", numpr(5, 0)) + para("dangling", numpr(77, 0)))
    assert labels_of(package_with(UN_LIST + num(5, 1), body)) == [None, "1.", None, "2.", None]


def test_a_paragraph_absent_from_the_original_view_does_not_advance_counters() -> None:
    package = package_with(UN_LIST + num(5, 1), para("a", numpr(5, 0)) * 3)
    numbering = read_numbering(package)
    refs = [numbering.paragraph_ref(p) for p in body_paragraphs(package)]
    labels = list_labels(numbering, [refs[0], None, refs[2]])
    assert [label.text if label else None for label in labels] == ["1.", None, "2."]


def test_start_values_and_start_override_restart_while_other_instances_continue() -> None:
    numbering = abstract(1, lvl(0, "decimal", "%1.", start=4)) + num(1, 1) + num(2, 1) + num(
        3, 1, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/></w:lvlOverride>')
    body = (para("a", numpr(1, 0)) + para("b", numpr(1, 0)) + para("c", numpr(2, 0))
            + para("d", numpr(3, 0)) + para("e", numpr(3, 0)) + para("f", numpr(1, 0)))
    # num 2 shares the abstract list, so it continues; num 3 restarts at 10; num 1 goes on from there.
    assert labels_of(package_with(numbering, body)) == ["4.", "5.", "6.", "10.", "11.", "12."]


def test_separate_abstract_lists_count_separately() -> None:
    numbering = UN_LIST + abstract(2, lvl(0, "upperLetter", "%1)")) + num(1, 1) + num(2, 2)
    body = para("a", numpr(1, 0)) + para("b", numpr(2, 0)) + para("c", numpr(1, 0)) + para("d", numpr(2, 0))
    assert labels_of(package_with(numbering, body)) == ["1.", "A)", "2.", "B)"]


def test_lvl_restart_zero_keeps_counting_across_higher_levels() -> None:
    numbering = abstract(1, lvl(0, "decimal", "%1."), lvl(1, "lowerLetter", "(%2)", extra='<w:lvlRestart w:val="0"/>')) + num(1, 1)
    body = "".join(para("x", numpr(1, level)) for level in (0, 1, 1, 0, 1))
    assert labels_of(package_with(numbering, body)) == ["1.", "(a)", "(b)", "2.", "(c)"]


def test_multi_level_text_and_legal_numbering() -> None:
    numbering = abstract(
        1,
        lvl(0, "upperRoman", "%1."),
        lvl(1, "decimal", "%1.%2", extra="<w:isLgl/>"),
        lvl(2, "lowerLetter", "%1.%2.%3"),
    ) + num(1, 1)
    body = "".join(para("x", numpr(1, level)) for level in (0, 1, 2, 2, 0, 1))
    assert labels_of(package_with(numbering, body)) == ["I.", "1.1", "I.1.a", "I.1.b", "II.", "2.1"]


def test_bullets_and_none_formats() -> None:
    numbering = abstract(1, lvl(0, "bullet", "\u2022"), lvl(1, "none", "")) + num(1, 1)
    body = para("x", numpr(1, 0)) + para("y", numpr(1, 1))
    assert labels_of(package_with(numbering, body)) == ["\u2022", ""]


def test_level_override_redefines_a_level_for_one_instance() -> None:
    override = ('<w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/>'
                '<w:lvlText w:val="%1:"/></w:lvl></w:lvlOverride>')
    numbering = UN_LIST + num(1, 1) + num(2, 1, override)
    body = para("a", numpr(1, 0)) + para("b", numpr(2, 0))
    assert labels_of(package_with(numbering, body)) == ["1.", "B:"]


def test_paragraph_styles_carry_numbering_through_based_on() -> None:
    styles = (style("OPStyle", numpr(1, 0)) + style("OPChild", "", based_on="OPStyle")
              + style("SubStyle", numpr(None, 1), based_on="OPStyle"))
    numbering = UN_LIST + num(1, 1)
    body = (para("a", '<w:pStyle w:val="OPStyle"/>') + para("b", '<w:pStyle w:val="SubStyle"/>')
            + para("c", '<w:pStyle w:val="OPChild"/>')
            + para("d", '<w:pStyle w:val="OPStyle"/>' + numpr(0))  # direct numId 0 removes it
            + para("e", '<w:pStyle w:val="OPStyle"/>' + numpr(None, 1)))  # direct level, style's list
    assert labels_of(package_with(numbering, body, styles)) == ["1.", "(a)", "2.", None, "(a)"]


def test_a_level_linked_to_a_style_gives_the_level() -> None:
    numbering = abstract(1, lvl(0, "decimal", "%1."), lvl(1, "lowerLetter", "(%2)", extra='<w:pStyle w:val="Sub"/>')) + num(1, 1)
    styles = style("Sub", numpr(1))
    body = para("a", numpr(1, 0)) + para("b", '<w:pStyle w:val="Sub"/>')
    assert labels_of(package_with(numbering, body, styles)) == ["1.", "(a)"]


def test_default_paragraph_style_numbering_applies_to_paragraphs_without_a_style() -> None:
    styles = ('<w:style w:type="paragraph" w:default="1" w:styleId="Numbered"><w:name w:val="Numbered"/>'
              f"<w:pPr>{numpr(1, 0)}</w:pPr></w:style>")
    package = package_with(UN_LIST + num(1, 1), para("a") + para("b"), styles)
    assert labels_of(package) == ["1.", "2."]


def test_num_style_link_takes_the_levels_of_the_numbering_style() -> None:
    numbering = (
        abstract(1, lvl(0, "decimal", "%1."), lvl(1, "lowerLetter", "(%2)"), extra='<w:styleLink w:val="OPList"/>')
        + abstract(2, extra='<w:numStyleLink w:val="OPList"/>')
        + num(1, 1) + num(2, 2)
    )
    styles = style("OPList", numpr(1), kind="numbering")
    body = para("a", numpr(2, 0)) + para("b", numpr(2, 1)) + para("c", numpr(1, 0))
    assert labels_of(package_with(numbering, body, styles)) == ["1.", "(a)", "2."]


def test_original_view_uses_the_properties_before_a_tracked_change() -> None:
    change = '<w:pPrChange w:id="3" w:author="Mexico" w:date="2027-02-10T09:30:00Z"><w:pPr>{}</w:pPr></w:pPrChange>'
    body = (
        para("OP1", numpr(1, 0))
        + para("numbered by Mexico", numpr(1, 0) + change.format(""))
        + para("OP2, un-numbered by Mexico", change.format(numpr(1, 0)))
        + para("OP3", numpr(1, 0))
    )
    package = package_with(UN_LIST + num(1, 1), body)
    assert labels_of(package, original=True) == ["1.", None, "2.", "3."]
    assert labels_of(package, original=False) == ["1.", "2.", None, "3."]


def test_original_view_ignores_numbering_inserted_as_a_tracked_change() -> None:
    body = para("OP1", numpr(1, 0)) + para("x", numpr(1, 0, inserted=True)) + para("OP2", numpr(1, 0))
    package = package_with(UN_LIST + num(1, 1), body)
    assert labels_of(package, original=True) == ["1.", None, "2."]
    assert labels_of(package, original=False) == ["1.", "2.", "3."]


def test_a_document_without_numbering_has_no_labels() -> None:
    document = docx.Document()
    document.add_paragraph("PP1. Recalling")
    with zipfile.ZipFile(io.BytesIO(_docx_bytes(document))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist() if info.filename != "word/numbering.xml"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    package = open_package(out.getvalue(), "plain.docx")
    assert labels_of(package) == [None]


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (4, "decimal", "4"), (1, "lowerLetter", "a"), (26, "lowerLetter", "z"), (27, "lowerLetter", "aa"),
        (28, "upperLetter", "BB"), (4, "lowerRoman", "iv"), (14, "upperRoman", "XIV"), (1999, "upperRoman", "MCMXCIX"),
        (3, "decimalZero", "03"), (12, "decimalZero", "12"), (1, "ordinal", "1st"), (2, "ordinal", "2nd"),
        (3, "ordinal", "3rd"), (11, "ordinal", "11th"), (22, "ordinal", "22nd"), (21, "cardinalText", "Twenty-one"),
        (3, "ordinalText", "Third"), (20, "ordinalText", "Twentieth"), (42, "ordinalText", "Forty-second"),
        (5, "decimalEnclosedParen", "(5)"), (2, "decimalEnclosedCircle", "\u2461"), (5, "chicago", "**"),
        (7, "none", ""), (7, "bullet", ""), (7, "japaneseCounting", "7"),
        # hostile start values are shown as digits, not as a million "M"s
        (10**9, "upperRoman", "1000000000"), (10**9, "lowerLetter", "1000000000"), (-3, "lowerRoman", "-3"),
    ],
)
def test_format_number(value: int, fmt: str, text: str) -> None:
    assert format_number(value, fmt) == text


# --- real documents -----------------------------------------------------------------------------

def test_python_docx_list_number_styles() -> None:
    document = docx.Document()
    document.add_paragraph("The Commission on Narcotic Drugs,")
    for text in ("Calls upon", "Urges", "Requests"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Second list", style="List Number 2")
    document.add_paragraph("Bullet", style="List Bullet")
    package = open_package(_docx_bytes(document), "python-docx.docx")
    assert labels_of(package) == [None, "1.", "2.", "3.", "1.", "\uf0b7"]


@pytest.mark.libreoffice
def test_libreoffice_list_with_a_tracked_new_paragraph_keeps_base_numbers(tmp_path: Path) -> None:
    from tests.lodoc import make_docx

    spec = {
        "paragraphs": [
            "The Commission on Narcotic Drugs,",
            {"text": "Calls upon Member States", "list_level": 0},
            {"text": "to strengthen capacity", "list_level": 1},
            {"text": "to enhance legislation", "list_level": 1},
            {"text": "Urges Member States", "list_level": 0},
            {"text": "Requests the Office", "list_level": 0},
        ],
        "author": "Iran",
        "track": True,
        "date": "2027-02-10T09:30:00Z",
        "edits": [{"op": "insert_paragraph", "after": 4, "text": "Invites Member States"}],
    }
    package = open_package(make_docx(spec, tmp_path / "iran.docx"))
    paragraphs = body_paragraphs(package)
    texts = ["".join(p.itertext()) for p in paragraphs]
    new = texts.index("Invites Member States")
    numbering = read_numbering(package)
    refs = [numbering.paragraph_ref(p) for p in paragraphs]
    # The reader passes None for a paragraph absent from the original view.
    refs[new] = None
    labels = [label.text if label else None for label in list_labels(numbering, refs)]
    assert [t for t, l in zip(texts, labels) if l] == [
        "Calls upon Member States", "to strengthen capacity", "to enhance legislation", "Urges Member States",
        "Requests the Office",
    ]
    assert [l for l in labels if l] == ["1.", "(a)", "(b)", "2.", "3."]
    current = list_labels(numbering, [numbering.paragraph_ref(p, original=False) for p in paragraphs])
    assert current[new] is not None and current[new].text == "3."


@pytest.mark.libreoffice
def test_labels_survive_a_libreoffice_round_trip(tmp_path: Path) -> None:
    """python-docx writes the numbering, LibreOffice rewrites it its own way: same labels."""
    soffice = require_program("soffice")
    package = package_with(UN_LIST + num(5, 1), "".join(para(f"p{i}", numpr(5, level)) for i, level in enumerate([0, 1, 2, 1, 0])))
    source = tmp_path / "in" / "source.docx"
    source.parent.mkdir()
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in package.parts.items():
            archive.writestr(name, data)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=180)
    round_tripped = open_package(tmp_path / "out" / "source.docx")
    assert b"numId" in round_tripped.read("word/document.xml")
    assert labels_of(round_tripped) == ["1.", "(a)", "(i)", "(b)", "2."]


# Real files whose list numbers LibreOffice renders in its text export.
ORACLE_FILES = [
    "pydocx__helloworld.docx", "tika__testWORD_2006ml.docx", "mammoth-js__track-changes-test.docx",
    "powertools__RA001-Tracked-Revisions-01.docx", "powertools__RP052-Deleted-Para-Mark.docx",
]


@pytest.mark.libreoffice
def test_labels_of_real_files_match_what_libreoffice_renders(real_corpus: Path, tmp_path: Path) -> None:
    soffice = require_program("soffice")
    sources = [real_corpus / name for name in ORACLE_FILES]
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), *map(str, sources)],
                   check=True, capture_output=True, timeout=300)
    checked = 0
    for source in sources:
        lines = [line.strip() for line in (tmp_path / (source.stem + ".txt")).read_text(encoding="utf-8-sig").splitlines()]
        package = open_package(source)
        numbering = read_numbering(package)
        paragraphs = body_paragraphs(package)
        labels = list_labels(numbering, [numbering.paragraph_ref(p, original=False) for p in paragraphs])
        at = 0
        for p, label in zip(paragraphs, labels):
            text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
            if label is None or label.text in ("", "\uf0b7", "-", "\u2013", "o") or not text:
                continue
            # LibreOffice writes "<label> <text>" (or a tab) on the paragraph's line.
            expected = (f"{label.text} ", f"{label.text}\t")
            found = next((i for i in range(at, len(lines)) if lines[i].startswith(expected) and text[:15] in lines[i]), None)
            assert found is not None, f"{source.name}: {label.text!r} before {text[:30]!r} not rendered so by LibreOffice"
            at = found + 1
            checked += 1
    assert checked >= 25
