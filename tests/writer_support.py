"""A small negotiation round for the writer tests: a base draft made with python-docx and the
consolidation of proposals on it, built by hand (the consolidation is the writer's input contract).

The base has a title, a chapeau, typed PP labels, a run in bold, an earlier tracked insertion by
the Chair (its text is part of the current base text), operative paragraphs numbered by Word's
list numbering, a header and core properties.
"""
from __future__ import annotations

import copy
import io
import zipfile

import docx
from lxml import etree

from docxio.ooxml import qn
from docxio.proposals import Consolidation, ParagraphProposals, Proposal, Source, Stance, SubmissionSummary

TITLE = "Strengthening international cooperation against drug trafficking"
CHAPEAU = "The Commission on Narcotic Drugs,"
PP1 = "PP1. Concerned about the increase in trafficking in drugs through the Internet,"
PP2 = "PP2. Recognizing that the pandemic triggered greater misuse by criminal organizations for illicit trafficking,"
PP3 = "PP3. Noting the report of the Secretary-General on trafficking,"
OP1 = "Calls upon Member States to cooperate;"
OP2 = "Requests the Office to report to the Commission;"
#: Text of PP3 inserted by the Chair in an earlier round (a tracked insertion in the base).
CHAIR_INSERTION = " of the Secretary-General"


def base_docx() -> bytes:
    """The base draft as .docx bytes."""
    document = docx.Document()
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(CHAPEAU)
    document.add_paragraph(PP1)
    pp2 = document.add_paragraph(PP2[: PP2.index("misuse")])
    pp2.add_run("misuse").bold = True
    pp2.add_run(PP2[PP2.index("misuse") + len("misuse"):])
    pp3 = document.add_paragraph(PP3.replace(CHAIR_INSERTION, ""))
    _insert_tracked(pp3._p, PP3.index(CHAIR_INSERTION), CHAIR_INSERTION, "Chair", "77")
    document.add_paragraph(OP1, style="List Number")
    document.add_paragraph(OP2, style="List Number")
    document.sections[0].header.paragraphs[0].text = "E/CN.7/2027/L.5"
    document.core_properties.revision = 4
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _insert_tracked(p, at: int, text: str, author: str, revision_id: str) -> None:
    """Put a tracked insertion of ``text`` at offset ``at`` of a one-run paragraph."""
    run = p.find(qn("w:r"))
    t = run.find(qn("w:t"))
    whole = t.text
    t.text = whole[:at]
    t.set(qn("xml:space"), "preserve")
    ins = etree.SubElement(p, qn("w:ins"))
    ins.set(qn("w:id"), revision_id)
    ins.set(qn("w:author"), author)
    ins.set(qn("w:date"), "2027-01-10T09:00:00Z")
    inserted = etree.SubElement(ins, qn("w:r"))
    etree.SubElement(inserted, qn("w:t")).text = text
    tail = copy.deepcopy(run)
    tail.find(qn("w:t")).text = whole[at:]
    p.append(tail)


def at(text: str, words: str) -> int:
    """Offset of ``words`` in ``text`` (fails loudly when the test data is wrong)."""
    return text.index(words)


def consolidation() -> Consolidation:
    """The round: insertions, a deletion, a replacement, a conflict group with two alternatives,
    passage and paragraph stances, a status, new paragraphs after PP2 and OP1, a whole-paragraph
    deletion and a whole-draft stance."""
    end_of_misuse = at(PP2, "misuse") + len("misuse")
    return Consolidation(
        "base.docx",
        [
            SubmissionSummary("singapore.docx", "Singapore", True, 2, arrived="2027-02-12T08:40:00+00:00"),
            SubmissionSummary("egypt.docx", "Egypt", True, 2, arrived="2027-02-12T08:05:00+00:00"),
        ],
        [
            ParagraphProposals("title", TITLE, base_index=0),
            ParagraphProposals("chapeau", CHAPEAU, base_index=1),
            ParagraphProposals("PP1", PP1, base_index=2, proposals=[
                Proposal("replace", inserted="substances", deleted="drugs", at=at(PP1, "drugs"),
                         delegations=["Egypt"], group="PP1-1", date="2027-02-12T08:01:00Z"),
                Proposal("replace", inserted="narcotics", deleted="drugs", at=at(PP1, "drugs"),
                         delegations=["Turkey", "China"], group="PP1-1", date="2027-02-12T09:01:00Z"),
            ], stances=[
                Stance("retain", anchor="increase", delegations=["Turkey"]),
                Stance("flexible", anchor="increase", delegations=["Egypt"]),
            ]),
            ParagraphProposals("PP2", PP2, base_index=3, status="agreed in informals", proposals=[
                Proposal("insert", inserted=" and abuse", at=end_of_misuse, delegations=["Singapore"],
                         sources=[Source("singapore.docx", "5")]),
                Proposal("delete", deleted="illicit ", at=at(PP2, "illicit "), delegations=["Egypt", "Singapore"],
                         date="2027-02-12T08:03:00Z"),
            ]),
            ParagraphProposals("PP2 bis", "", new=True, after="PP2", proposals=[
                Proposal("new_paragraph", inserted="Taking into account the challenges of Member States,",
                         delegations=["Iran", "Venezuela"], date="2027-02-12T10:30:00Z"),
            ]),
            ParagraphProposals("PP3", PP3, base_index=4, proposals=[
                Proposal("replace", inserted="Acknowledging", deleted="Noting", at=at(PP3, "Noting"),
                         delegations=["Mexico"], date="2027-02-12T12:10:00Z"),
                Proposal("delete", deleted="Secretary-General", at=at(PP3, "Secretary-General"),
                         delegations=["United States"], date="2027-02-12T11:20:00Z"),
            ]),
            ParagraphProposals("OP1", OP1, base_index=5, stances=[Stance("reservation", delegations=["Iran"])]),
            ParagraphProposals("OP1 bis", "", new=True, after="OP1", proposals=[
                Proposal("new_paragraph", inserted="Invites donors to provide resources;", delegations=["European Union"],
                         date="2027-02-12T11:45:00Z"),
            ]),
            ParagraphProposals("OP2", OP2, base_index=6, proposals=[
                Proposal("delete_paragraph", deleted=OP2, at=0, delegations=["United States"],
                         date="2027-02-12T11:21:00Z"),
            ]),
        ],
        stances=[Stance("reservation", delegations=["European Union", "United States"])],
    )


def expected_tracked_changes() -> list[tuple[str, str, str]]:
    """(kind, author, text) of every text revision the tracked rendering should hold, in document
    order, derived from the consolidation above (the Chair's insertion is the base's own)."""
    return [
        ("delete", "Egypt, Turkey, China", "drugs"),
        ("insert", "Egypt", "substances"),
        ("insert", "Turkey, China", "narcotics"),
        ("insert", "Singapore", " and abuse"),
        ("delete", "Egypt, Singapore", "illicit "),
        ("insert", "Iran, Venezuela", "PP2 bis. Taking into account the challenges of Member States,"),
        ("delete", "Mexico", "Noting"),
        ("insert", "Mexico", "Acknowledging"),
        ("delete", "United States", "Secretary-General"),
        ("insert", "European Union", "OP1 bis. Invites donors to provide resources;"),
        ("delete", "United States", OP2),
    ]


def document_xml(data: bytes, part: str = "word/document.xml") -> etree._Element:
    """A part of a written package, parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(part))


def part_names(data: bytes) -> list[str]:
    """Names of the parts of a package."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def read_part(data: bytes, part: str) -> bytes:
    """The bytes of one part of a package."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(part)



FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
    '<w:r><w:t xml:space="preserve"> World Drug Report 2026.</w:t></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)


def with_footnotes(data: bytes) -> bytes:
    """The package with a footnotes part (as Word writes it: two separators and one footnote,
    referenced at the end of PP1), its relationship and content type."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
            elif item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdFootnotes" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/footnotes" '
                                          b'Target="footnotes.xml"/></Relationships>')
            elif item.filename == "word/document.xml":
                root = etree.fromstring(content)
                pp1 = next(p for p in root.iter(qn("w:p")) if "".join(t.text or "" for t in p.iter(qn("w:t"))) == PP1)
                reference = etree.SubElement(pp1, qn("w:r"))
                etree.SubElement(etree.SubElement(reference, qn("w:rPr")), qn("w:vertAlign")).set(qn("w:val"), "superscript")
                etree.SubElement(reference, qn("w:footnoteReference")).set(qn("w:id"), "1")
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(item, content)
        target.writestr("word/footnotes.xml", FOOTNOTES_XML)
    return out.getvalue()
