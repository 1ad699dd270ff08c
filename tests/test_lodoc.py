"""The LibreOffice fixture builder writes the tracked changes, comments and lists it is asked for.

Each test reads the XML LibreOffice wrote (lxml directly, not the project's reader), so a fixture
made with ``tests.lodoc`` is known to contain what its spec says.
"""
from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.lodoc import LodocError, make_docx, make_many

pytestmark = pytest.mark.libreoffice

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
DATE = "2027-02-10T09:30:00Z"

BASE_PARAGRAPHS = [
    "PP1. Concerned about the increase in trafficking in drugs,",
    "PP2. Recognizing that the pandemic triggered greater misuse by criminal organizations,",
    "PP3. Recalling its resolutions on the matter,",
    {"text": "Calls upon Member States to strengthen cooperation;", "list_level": 0},
    {"text": "Encourages competent authorities to raise awareness;", "list_level": 0},
    {"text": "law enforcement;", "list_level": 1},
    {"text": "financial intelligence units;", "list_level": 1},
    {"text": "Decides to remain seized of the matter.", "list_level": 0},
]


def spec(edits: list, author: str = "Ahmed Hassan", **extra) -> dict:
    return {"paragraphs": BASE_PARAGRAPHS, "author": author, "track": True, "date": DATE, "edits": edits, **extra}


SPECS = {
    "insert": spec([{"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "}]),
    "delete": spec([{"op": "delete", "para": 1, "find": "greater "}]),
    "replace": spec([{"op": "replace", "para": 1, "at": 5, "expect": "Recognizing", "text": "Acknowledging"}]),
    "new_paragraph": spec([{"op": "insert_paragraph", "after": 2, "text": "PP3 bis. Noting the new threats,",
                            "numbered": False}]),
    "delete_paragraph": spec([{"op": "delete_paragraph", "para": 4,
                               "expect": "Encourages competent authorities to raise awareness;"}]),
    "split": spec([{"op": "split", "para": 1, "before": "by criminal"}]),
    "join": spec([{"op": "join", "para": 5}]),
    "comment": spec([
        {"op": "comment", "para": 0, "find": "Concerned", "text": "retain", "author": "Ahmed Hassan",
         "initials": "AH", "date": "2027-02-11T10:00:00Z"},
        {"op": "comment", "para": 2, "end": True, "text": "consult with capital", "resolved": True},
    ], track=False),
    "footnote": spec([{"op": "footnote", "para": 1, "after": "pandemic", "text": "See E/CN.7/2026/2."}]),
    "format": spec([{"op": "format", "para": 2, "find": "Recalling", "bold": True}]),
    "joint": spec([
        {"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "},
        {"op": "author", "name": "Delegation of Venezuela"},
        {"op": "delete", "para": 2, "find": "on the matter"},
    ], author="Cuba Mission"),
    "untracked": spec([{"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "}], track=False),
    "anchors": {"paragraphs": ["Co\u0302te d'Ivoire \U0001F600 and T\u00fcrkiye support PP1."], "author": "X",
                "track": True, "date": DATE, "edits": [
                    {"op": "comment", "para": 0, "find": "T\u00fcrkiye", "text": "retain"},
                    {"op": "footnote", "para": 0, "after": "Ivoire", "text": "fn"},
                    {"op": "insert", "para": 0, "after": "\U0001F600", "text": " X"},
                    {"op": "insert", "para": 0, "before": "support", "text": "strongly "}]},
    "header": {"paragraphs": BASE_PARAGRAPHS, "header": "E/CN.7/2027/L.5", "page_numbers": True, "date": DATE},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every spec above, built in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("lodoc")
    outs = make_many([(s, folder / f"{name}.docx") for name, s in SPECS.items()])
    return dict(zip(SPECS, outs))


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def body_paragraphs(path: Path) -> list[etree._Element]:
    return part(path, "word/document.xml").xpath("/w:document/w:body/w:p", namespaces=NS)


def texts(element: etree._Element, path: str) -> list[str]:
    """The text of each element matched by ``path`` (its w:t and w:delText)."""
    return ["".join(e.xpath(".//w:t/text()|.//w:delText/text()", namespaces=NS))
            for e in element.xpath(path, namespaces=NS)]


def attr(element: etree._Element, name: str) -> str:
    return element.get(f"{{{W}}}{name}")


def test_insertion_is_a_tracked_insertion_by_the_author(built):
    p0 = body_paragraphs(built["insert"])[0]
    ins = p0.xpath("w:ins", namespaces=NS)
    assert [texts(i, ".")[0] for i in ins] == ["illicit "]
    assert attr(ins[0], "author") == "Ahmed Hassan"
    assert attr(ins[0], "date") == DATE
    assert "".join(p0.xpath(".//w:t/text()", namespaces=NS)) == \
        "PP1. Concerned about the increase in illicit trafficking in drugs,"


def test_deletion_keeps_the_deleted_words_as_deleted_text(built):
    p1 = body_paragraphs(built["delete"])[1]
    assert texts(p1, "w:del") == ["greater "]
    assert attr(p1.xpath("w:del", namespaces=NS)[0], "author") == "Ahmed Hassan"
    assert "greater" not in "".join(p1.xpath(".//w:t/text()", namespaces=NS))


def test_replacement_is_a_deletion_followed_by_an_insertion(built):
    p1 = body_paragraphs(built["replace"])[1]
    changes = [(etree.QName(e).localname, texts(e, ".")[0]) for e in p1.xpath("w:ins|w:del", namespaces=NS)]
    assert changes == [("del", "Recognizing"), ("ins", "Acknowledging")]


def test_new_paragraph_marks_the_previous_paragraph_mark_inserted(built):
    paras = body_paragraphs(built["new_paragraph"])
    assert len(paras) == len(BASE_PARAGRAPHS) + 1
    assert paras[2].xpath("w:pPr/w:rPr/w:ins/@w:author", namespaces=NS) == ["Ahmed Hassan"]
    assert texts(paras[3], "w:ins") == ["PP3 bis. Noting the new threats,"]
    assert paras[3].xpath("w:pPr/w:numPr/w:numId/@w:val", namespaces=NS) in ([], ["0"])  # not in the OP list


def test_paragraph_deletion_deletes_text_and_mark(built):
    paras = body_paragraphs(built["delete_paragraph"])
    assert texts(paras[4], "w:del") == ["Encourages competent authorities to raise awareness;"]
    assert paras[4].xpath("w:pPr/w:rPr/w:del/@w:author", namespaces=NS) == ["Ahmed Hassan"]
    assert not paras[4].xpath(".//w:t", namespaces=NS)


def test_split_inserts_a_paragraph_mark(built):
    paras = body_paragraphs(built["split"])
    assert len(paras) == len(BASE_PARAGRAPHS) + 1
    assert "".join(paras[1].xpath(".//w:t/text()", namespaces=NS)) == \
        "PP2. Recognizing that the pandemic triggered greater misuse "
    assert paras[1].xpath("w:pPr/w:rPr/w:ins/@w:author", namespaces=NS) == ["Ahmed Hassan"]
    assert "".join(paras[2].xpath(".//w:t/text()", namespaces=NS)) == "by criminal organizations,"


def test_join_deletes_a_paragraph_mark_and_no_text(built):
    paras = body_paragraphs(built["join"])
    assert paras[5].xpath("w:pPr/w:rPr/w:del/@w:author", namespaces=NS) == ["Ahmed Hassan"]
    assert not paras[5].xpath(".//w:delText", namespaces=NS)
    assert len(paras) == len(BASE_PARAGRAPHS)  # joined only when the change is accepted


def test_comments_have_author_initials_date_text_and_range(built):
    comments = part(built["comment"], "word/comments.xml").xpath("w:comment", namespaces=NS)
    found = [(attr(c, "author"), attr(c, "initials"), attr(c, "date"), texts(c, ".")[0]) for c in comments]
    assert found == [("Ahmed Hassan", "AH", "2027-02-11T10:00:00Z", "retain"),
                     ("Ahmed Hassan", "AH", DATE, "consult with capital")]
    p0 = body_paragraphs(built["comment"])[0]
    ranged = p0.xpath("w:r[preceding-sibling::w:commentRangeStart and following-sibling::w:commentRangeEnd]",
                      namespaces=NS)
    assert "".join(texts(r, ".")[0] for r in ranged) == "Concerned"
    p2 = body_paragraphs(built["comment"])[2]
    assert p2.xpath(".//w:commentReference/@w:id", namespaces=NS) == [attr(comments[1], "id")]
    assert not part(built["comment"], "word/document.xml").xpath("//w:ins|//w:del", namespaces=NS)
    # the second comment is resolved: its paragraph is marked done in commentsExtended.xml
    para_id = comments[1].xpath("w:p/@w14:paraId", namespaces={"w": W, "w14": W14})
    done = part(built["comment"], "word/commentsExtended.xml").xpath(
        "w15:commentEx[@w15:done='1']/@w15:paraId", namespaces={"w15": W15})
    assert done == para_id and len(para_id) == 1


def test_footnote_is_an_inserted_reference_with_its_text(built):
    p1 = body_paragraphs(built["footnote"])[1]
    refs = p1.xpath("w:ins/w:r/w:footnoteReference/@w:id", namespaces=NS)
    assert len(refs) == 1
    note = part(built["footnote"], "word/footnotes.xml").xpath(f"w:footnote[@w:id='{refs[0]}']", namespaces=NS)[0]
    assert "".join(note.xpath(".//w:t/text()", namespaces=NS)) == "See E/CN.7/2026/2."


def test_positions_count_text_not_anchors_or_combining_marks(built):
    """Offsets are text offsets even after comment and footnote anchors, combining accents and emoji."""
    p0 = body_paragraphs(built["anchors"])[0]
    pieces = []
    for el in p0.iter(f"{{{W}}}t", f"{{{W}}}footnoteReference"):
        inserted = any(a.tag == f"{{{W}}}ins" for a in el.iterancestors())
        text = "[fn]" if el.tag.endswith("footnoteReference") else el.text
        pieces.append(f"<{text}>" if inserted else text)
    assert "".join(pieces) == "Co\u0302te d'Ivoire<[fn]> \U0001F600< X> and T\u00fcrkiye <strongly >support PP1."


def test_bold_is_a_tracked_attribute_change(built):
    p2 = body_paragraphs(built["format"])[2]
    runs = p2.xpath("w:r[w:rPr/w:rPrChange]", namespaces=NS)
    assert ["".join(r.xpath("w:t/text()", namespaces=NS)) for r in runs] == ["Recalling"]
    assert runs[0].xpath("w:rPr/w:b", namespaces=NS)
    assert runs[0].xpath("w:rPr/w:rPrChange/@w:author", namespaces=NS) == ["Ahmed Hassan"]


def test_author_change_mid_document_makes_a_joint_submission(built):
    doc = part(built["joint"], "word/document.xml")
    by_author = {(attr(e, "author"), etree.QName(e).localname, texts(e, ".")[0])
                 for e in doc.xpath("//w:ins|//w:del", namespaces=NS) if texts(e, ".")[0]}
    assert by_author == {("Cuba Mission", "ins", "illicit "), ("Delegation of Venezuela", "del", "on the matter")}


def test_edits_without_recording_leave_no_revision(built):
    doc = part(built["untracked"], "word/document.xml")
    assert not doc.xpath("//w:ins|//w:del", namespaces=NS)
    assert "illicit trafficking" in "".join(body_paragraphs(built["untracked"])[0].xpath(".//w:t/text()", namespaces=NS))


def test_list_levels_are_real_numbering_not_typed_numbers(built):
    path = built["header"]
    paras = body_paragraphs(path)
    levels = [p.xpath("w:pPr/w:numPr/w:ilvl/@w:val", namespaces=NS) for p in paras]
    num_ids = {p.xpath("string(w:pPr/w:numPr/w:numId/@w:val)", namespaces=NS) for p in paras[3:]}
    assert [lv[0] for lv in levels[3:]] == ["0", "0", "1", "1", "0"]
    assert len(num_ids) == 1 and num_ids != {"0"}
    numbering = part(path, "word/numbering.xml")
    abstract = numbering.xpath(f"w:num[@w:numId='{num_ids.pop()}']/w:abstractNumId/@w:val", namespaces=NS)[0]
    lvl = numbering.xpath(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl", namespaces=NS)
    assert (lvl[0].xpath("string(w:numFmt/@w:val)", namespaces=NS), lvl[0].xpath("string(w:lvlText/@w:val)", namespaces=NS)) == ("decimal", "%1.")
    assert (lvl[1].xpath("string(w:numFmt/@w:val)", namespaces=NS), lvl[1].xpath("string(w:lvlText/@w:val)", namespaces=NS)) == ("lowerLetter", "(%2)")
    assert "".join(paras[3].xpath(".//w:t/text()", namespaces=NS)).startswith("Calls upon")


def test_header_and_page_number_footer(built):
    with zipfile.ZipFile(built["header"]) as z:
        names = z.namelist()
        headers = [n for n in names if n.startswith("word/header")]
        footers = [n for n in names if n.startswith("word/footer")]
        assert any("E/CN.7/2027/L.5" in z.read(h).decode() for h in headers)
        assert any("PAGE" in z.read(f).decode() for f in footers)


def test_same_spec_gives_the_same_bytes(built, tmp_path):
    again = make_docx(SPECS["joint"], tmp_path / "joint.docx")
    assert again.read_bytes() == built["joint"].read_bytes()


def test_editing_an_existing_docx(built, tmp_path):
    out = make_docx({"base": str(built["insert"]), "author": "Li Wei", "track": True, "date": DATE,
                     "edits": [{"op": "insert", "para": 7, "before": "Decides", "text": "Also "}]}, tmp_path / "round2.docx")
    doc = part(out, "word/document.xml")
    found = {(attr(e, "author"), texts(e, ".")[0]) for e in doc.xpath("//w:ins", namespaces=NS) if texts(e, ".")[0]}
    assert found == {("Ahmed Hassan", "illicit "), ("Li Wei", "Also ")}


def test_wrong_expectation_names_the_document_the_edit_and_the_text_found(tmp_path):
    bad = spec([{"op": "replace", "para": 1, "at": 5, "expect": "Acknowledging", "text": "x"}])
    missing = {"base": str(tmp_path / "nowhere.docx"), "edits": []}
    with pytest.raises(LodocError) as err:
        make_many([(bad, tmp_path / "bad.docx"), (missing, tmp_path / "missing.docx")])
    message = str(err.value)
    assert "bad.docx" in message and "edit 0 (replace)" in message and "found 'Recognizing" in message
    assert "nowhere.docx does not exist" in message
    assert not (tmp_path / "bad.docx").exists()


def test_a_hung_document_is_reported_and_libreoffice_does_not_outlive_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("LODOC_JOB_TIMEOUT", "0.05")  # every job "hangs" past this: the watchdog kills soffice
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # soffice's private profiles go here, so we can look for them
    with pytest.raises(LodocError) as err:
        make_many([(SPECS["insert"], tmp_path / "a.docx"), (SPECS["delete"], tmp_path / "b.docx")])
    assert "job 0 (a.docx): LibreOffice took longer than 0 s and was killed" in str(err.value)
    assert "job 1 (b.docx)" in str(err.value)
    left = subprocess.run(["pgrep", "-f", f"UserInstallation=file://{tmp_path}"], capture_output=True, text=True)
    assert left.stdout == ""
    assert not list(tmp_path.glob("lodoc-profile-*"))  # profiles removed too
