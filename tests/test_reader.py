"""The reader on small documents built here, one WordprocessingML feature at a time.

Each test writes the XML Word would write for one case into a real .docx (zip) and checks what a
user of ``concord inspect`` would see: texts of both views, revisions with their authors, stories.
``docx_from_xml`` is shared with the other reader tests.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from docxio import ooxml
from docxio.errors import DocxioError
from docxio.model import Draft
from docxio.reader import read_draft

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT_W_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
NAMESPACES = (
    'xmlns:w="{w}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:example:unknown"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PART_RELATIONSHIPS = {
    "comments.xml": f"{REL}/comments",
    "footnotes.xml": f"{REL}/footnotes",
    "endnotes.xml": f"{REL}/endnotes",
    "header1.xml": f"{REL}/header",
    "footer1.xml": f"{REL}/footer",
    "commentsExtended.xml": "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
    "commentsIds.xml": "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
    "commentsExtensible.xml": "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible",
}
CONTENT_TYPES = {
    "document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "comments.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
    "footnotes.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "endnotes.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
    "header1.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footer1.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
}


def docx_from_xml(body: str, parts: dict[str, str] | None = None, strict: bool = False,
                  app: str | None = None, core: str | None = None) -> bytes:
    """A real .docx whose document.xml body is ``body``; ``parts`` maps word/ part names
    (comments.xml, footnotes.xml, commentsExtended.xml...) to their XML (root element included)."""
    w = STRICT_W_NS if strict else W_NS
    ns = NAMESPACES.format(w=w)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>'
    parts = {name: xml.replace("NAMESPACES", ns) for name, xml in (parts or {}).items()}
    overrides = "".join(
        f'<Override PartName="/word/{name}" ContentType="{CONTENT_TYPES[name]}"/>'
        for name in ["document.xml", *parts] if name in CONTENT_TYPES
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
            + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'extended-properties" Target="docProps/app.xml"/>' if app else "")
            + ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
               'metadata/core-properties" Target="docProps/core.xml"/>' if core else "")
            + "</Relationships>"
        ),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{PART_RELATIONSHIPS[name]}" Target="{name}"/>'
                for i, name in enumerate(parts, start=10)
            )
            + "</Relationships>"
        ),
        "word/document.xml": document,
        **{f"word/{name}": xml for name, xml in parts.items()},
    }
    if app:
        files["docProps/app.xml"] = app
    if core:
        files["docProps/core.xml"] = core
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def read_body(body: str, **kwargs) -> Draft:
    """Read a document made of ``body`` (see ``docx_from_xml``)."""
    return read_draft(docx_from_xml(body, **kwargs), "test.docx")


def run(text: str, props: str = "", tag: str = "w:t") -> str:
    """One run of text, with run properties."""
    return f'<w:r><w:rPr>{props}</w:rPr><{tag} xml:space="preserve">{text}</{tag}></w:r>'


def rev(kind: str, rid: str, author: str, inner: str, date: str | None = "2027-02-10T09:30:00Z") -> str:
    """A w:ins / w:del / w:moveFrom / w:moveTo around ``inner``."""
    when = f' w:date="{date}"' if date else ""
    return f'<w:{kind} w:id="{rid}" w:author="{author}"{when}>{inner}</w:{kind}>'


def para(*content: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr>{''.join(content)}</w:p>"


# --- text revisions ----------------------------------------------------------------------------


def test_insertion_and_deletion_give_both_views_with_author_date_and_id():
    draft = read_body(para(
        run("PP2. Recognizing that the pandemic triggered greater misuse "),
        rev("ins", "7", "Singapore", run("and abuse ")),
        run("of ICT for "),
        rev("del", "8", "Egypt", run("illicit ", tag="w:delText"), date=None),
        run("trafficking"),
    ))
    (p,) = draft.body()
    assert p.original == "PP2. Recognizing that the pandemic triggered greater misuse of ICT for illicit trafficking"
    assert p.current == "PP2. Recognizing that the pandemic triggered greater misuse and abuse of ICT for trafficking"
    ins, dele = p.revisions
    assert (ins.type, ins.author, ins.date, ins.id, ins.text) == (
        "insert", "Singapore", "2027-02-10T09:30:00Z", "7", "and abuse ")
    assert (dele.type, dele.author, dele.date, dele.id, dele.text) == ("delete", "Egypt", None, "8", "illicit ")
    assert draft.authors == ("Singapore", "Egypt")


def test_text_inserted_by_one_author_and_deleted_by_another_carries_both():
    draft = read_body(para(
        run("for "),
        rev("ins", "1", "Iran", rev("del", "2", "Mexico", run("all proceeds of ", tag="w:delText"))),
        run("crime"),
    ))
    (p,) = draft.body()
    nested = next(s for s in p.spans if s.text == "all proceeds of ")
    assert nested.inserted.author == "Iran" and nested.deleted.author == "Mexico"
    assert [(r.type, r.author, r.text) for r in p.revisions] == [
        ("insert", "Iran", "all proceeds of "), ("delete", "Mexico", "all proceeds of ")]
    # Neither view shows it: not in the original (inserted), not in the current (deleted).
    assert p.original == p.current == "for crime"


def test_moves_are_paired_by_their_range_name():
    draft = read_body(
        para(
            '<w:moveFromRangeStart w:id="1" w:name="move42" w:author="Mexico" w:date="2027-02-10T09:30:00Z"/>',
            rev("moveFrom", "2", "Mexico", run("OP11 text. ")),
            '<w:moveFromRangeEnd w:id="1"/>', run("OP12 text."),
        )
        + para(
            run("OP13 text. "),
            '<w:moveToRangeStart w:id="3" w:name="move42" w:author="Mexico" w:date="2027-02-10T09:30:00Z"/>',
            rev("moveTo", "4", "Mexico", run("OP11 text. ")),
            '<w:moveToRangeEnd w:id="3"/>',
        )
    )
    first, second = draft.body()
    (move_from,) = first.revisions
    (move_to,) = second.revisions
    assert (move_from.type, move_to.type) == ("move_from", "move_to")
    assert move_from.move_name == move_to.move_name == "move42"
    assert move_from.text == move_to.text == "OP11 text. "
    assert (first.original, first.current) == ("OP11 text. OP12 text.", "OP12 text.")
    assert (second.original, second.current) == ("OP13 text. ", "OP13 text. OP11 text. ")


def test_property_changes_are_revisions_of_their_kind():
    change = 'w:author="EU" w:date="2027-02-10T09:30:00Z"'
    draft = read_body(
        para(
            run("bold now", props=f'<w:b/><w:rPrChange w:id="1" {change}><w:rPr/></w:rPrChange>'),
            ppr=f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/><w:numberingChange w:id="2" {change} w:original="1."/></w:numPr>'
                f'<w:jc w:val="both"/><w:pPrChange w:id="3" {change}><w:pPr/></w:pPrChange>',
        )
        + '<w:tbl><w:tblPr><w:tblW w:w="0"/><w:tblPrChange w:id="4" ' + change + '><w:tblPr/></w:tblPrChange></w:tblPr>'
        '<w:tblGrid><w:gridCol w:w="100"/><w:tblGridChange w:id="5"><w:tblGrid/></w:tblGridChange></w:tblGrid>'
        f'<w:tr><w:trPr><w:ins w:id="6" {change}/></w:trPr><w:tc><w:tcPr><w:cellDel w:id="7" {change}/>'
        f'<w:tcPrChange w:id="8" {change}><w:tcPr/></w:tcPrChange></w:tcPr>{para(run("cell"))}</w:tc></w:tr></w:tbl>'
        + para(run("last"), ppr=f'<w:sectPr><w:sectPrChange w:id="9" {change}><w:sectPr/></w:sectPrChange></w:sectPr>')
    )
    first, cell, last = draft.body()
    assert [(r.type, r.id) for r in first.revisions] == [("numbering", "2"), ("paragraph_format", "3"), ("format", "1")]
    assert first.spans[0].bold
    assert cell.in_table
    assert [(r.type, r.id) for r in cell.revisions] == [("table", i) for i in "45678"]
    # tblGridChange has no author in Word's files: kept as the empty string, not invented.
    assert cell.revisions[1].author == ""
    assert [(r.type, r.id) for r in last.revisions] == [("section", "9")]


def test_paragraph_mark_insertion_and_deletion_are_marked_on_the_paragraph():
    mark = 'w:id="{}" w:author="Iran" w:date="2027-02-10T09:30:00Z"'
    draft = read_body(
        para(run("OP3. first half"), ppr=f"<w:rPr><w:ins {mark.format(1)}/></w:rPr>")
        + para(run(" second half"))
        + para(run("OP4. joined"), ppr=f"<w:rPr><w:del {mark.format(2)}/></w:rPr>")
        + para(run(" with OP5"))
    )
    split, rest, joined, next_one = draft.body()
    assert split.mark_inserted.type == "paragraph_insert" and split.mark_inserted.author == "Iran"
    assert joined.mark_deleted.type == "paragraph_delete"
    assert rest.mark_inserted is None and next_one.mark_deleted is None
    assert [r.type for r in split.revisions] == ["paragraph_insert"]


def test_libreoffice_empty_insertion_around_a_comment_mark_is_no_revision():
    comments = ('<w:comments NAMESPACES><w:comment w:id="0" w:author="Egypt" w:initials="E">'
                '<w:p><w:r><w:t>retain</w:t></w:r></w:p></w:comment></w:comments>')
    draft = read_body(
        para(
            '<w:commentRangeStart w:id="0"/>', run("OP1 text"),
            rev("ins", "5", "Egypt", '<w:commentRangeEnd w:id="0"/><w:r><w:rPr/></w:r>'
                                      '<w:r><w:commentReference w:id="0"/></w:r>'),
        ),
        parts={"comments.xml": comments},
    )
    (p,) = draft.body()
    assert p.revisions == ()
    assert p.comment_ids == ("0",)
    assert draft.comments[0].anchor == "OP1 text"


def test_an_inserted_footnote_reference_or_field_is_a_revision_without_text():
    draft = read_body(para(
        run("text"),
        rev("ins", "1", "USA", '<w:r><w:footnoteReference w:id="2"/></w:r>'),
        rev("ins", "3", "USA", '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> LISTNUM </w:instrText></w:r>'
                                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'),
    ))
    (p,) = draft.body()
    assert [(r.type, r.text) for r in p.revisions] == [("insert", ""), ("insert", "")]
    assert [s.footnote for s in p.spans if s.footnote] == ["2"]


# --- what counts as text -----------------------------------------------------------------------


def test_symbols_hyphens_tabs_breaks_and_math_are_text_field_codes_are_not():
    draft = read_body(para(
        run("a"), '<w:r><w:sym w:font="Symbol" w:char="F0B1"/></w:r>', '<w:r><w:noBreakHyphen/></w:r>',
        '<w:r><w:tab/><w:t>b</w:t><w:br/><w:cr/></w:r>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF _Ref1 \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', run("result"), '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        '<w:fldSimple w:instr=" PAGE ">', run("7"), "</w:fldSimple>",
        '<m:oMath><m:r><m:t>x</m:t></m:r><m:sSup><m:e><m:r><m:t>y</m:t></m:r></m:e><m:sup><m:r><m:t>2</m:t></m:r></m:sup></m:sSup></m:oMath>',
    ))
    (p,) = draft.body()
    assert p.current == "a\u00b1\u2011\tb\n\nresult7xy2"


def test_field_codes_deleted_with_their_result_leave_only_the_result_text():
    draft = read_body(para(rev("del", "1", "Cuba",
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:delInstrText> DATE </w:delInstrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:delText>10 Feb</w:delText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>')))
    (p,) = draft.body()
    assert (p.original, p.current) == ("10 Feb", "")
    assert p.revisions[0].text == "10 Feb"


def test_a_field_left_open_by_a_damaged_file_does_not_swallow_later_paragraphs():
    draft = read_body(
        para(run("OP1 "), '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK </w:instrText></w:r>')
        + para(run("OP2 is still read"))
    )
    assert [p.current for p in draft.body()] == ["OP1 ", "OP2 is still read"]


def test_wrappers_hyperlinks_smart_tags_custom_xml_and_content_controls_are_read_through():
    draft = read_body(
        para(
            '<w:hyperlink r:id="rId9">', run("link "), "</w:hyperlink>",
            '<w:smartTag w:element="place">', run("Vienna "), "</w:smartTag>",
            '<w:customXml w:element="x">', run("custom "), "</w:customXml>",
            '<w:sdt><w:sdtPr><w:alias w:val="c"/></w:sdtPr><w:sdtContent>', run("control"), "</w:sdtContent></w:sdt>",
        )
        + '<w:sdt><w:sdtPr/><w:sdtContent>' + para(run("block control")) + "</w:sdtContent></w:sdt>"
    )
    assert [p.current for p in draft.body()] == ["link Vienna custom control", "block control"]


def test_run_formatting_underline_strike_bold_is_kept_on_spans():
    draft = read_body(para(
        run("under", '<w:u w:val="single"/>'), run("none", '<w:u w:val="none"/>'),
        run("struck", "<w:strike/>"), run("|"), run("double", "<w:dstrike/>"), run("off", '<w:b w:val="0"/>'),
        run("bold", "<w:b/>"),
    ))
    spans = {s.text: (s.underline, s.strike, s.bold) for s in draft.body()[0].spans}
    assert spans == {
        "under": (True, False, False), "none": (False, False, False), "struck": (False, True, False),
        "double": (False, True, False), "off": (False, False, False), "bold": (False, False, True),
        "|": (False, False, False),
    }


def test_text_boxes_are_paragraphs_of_their_own_read_from_choice_not_fallback():
    box = (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>'
        + para(rev("ins", "2", "Chair", run("in the box")))
        + '</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>'
        + para(run("in the box"))
        + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    data = docx_from_xml(para(run("before "), box, run("after")) + para(run("next")))
    draft = read_draft(data, "box.docx")
    assert [(p.index, p.current) for p in draft.body()] == [(0, "before after"), (1, "in the box"), (2, "next")]
    assert draft.body()[1].revisions[0].author == "Chair"
    # The same numbering the writer uses to find a paragraph again.
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    assert len(ooxml.story_paragraphs(root)) == len(draft.body())


def test_unknown_elements_are_skipped_with_a_warning_naming_them():
    draft = read_body(
        para(run("kept "), "<x:novelty><w:r><w:t>hidden</w:t></w:r></x:novelty>", run("too"), "<x:novelty/>")
        + "<x:wrapper>" + para(run("a paragraph inside it")) + "</x:wrapper>"
    )
    assert [p.current for p in draft.body()] == ["kept too", "a paragraph inside it"]
    assert draft.warnings == (
        "read a paragraph found inside an unknown element in word/document.xml",
        "skipped unknown element {urn:example:unknown}novelty in word/document.xml (2 times)",
        "skipped unknown element {urn:example:unknown}wrapper in word/document.xml",
    )


def test_ruby_base_text_is_read_and_rows_inside_custom_xml_too():
    draft = read_body(
        para('<w:ruby><w:rubyPr/><w:rt>' + run("guide") + '</w:rt><w:rubyBase>' + run("base") + "</w:rubyBase></w:ruby>")
        + "<w:tbl><w:customXml w:element=\"rows\"><w:tr><w:tc>" + para(run("cell")) + "</w:tc></w:tr></w:customXml></w:tbl>"
    )
    assert [(p.current, p.in_table) for p in draft.body()] == [("base", False), ("cell", True)]
    assert draft.warnings == ()


# --- stories, facts and strict -----------------------------------------------------------------


def test_footnotes_endnotes_headers_and_footers_are_stories_with_their_revisions():
    notes = ('<w:{kind}s NAMESPACES><w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
             '<w:{kind} w:id="1"><w:p><w:r><w:{kind}Ref/></w:r>' + rev("ins", "9", "Canada", run("virtual")) + "</w:p></w:{kind}></w:{kind}s>")
    draft = read_body(
        para(run("text"), '<w:r><w:footnoteReference w:id="1"/></w:r>'),
        parts={
            "footnotes.xml": notes.format(kind="footnote"),
            "endnotes.xml": notes.format(kind="endnote"),
            "header1.xml": f"<w:hdr NAMESPACES>{para(run('E/CN.7/2027/L.5'))}</w:hdr>",
            "footer1.xml": f"<w:ftr NAMESPACES>{para(run('page'))}</w:ftr>",
        },
    )
    by_story = {p.story: p for p in draft.paragraphs}
    assert set(by_story) == {"body", "footnote", "endnote", "header", "footer"}
    footnote = by_story["footnote"]
    assert (footnote.story_id, footnote.current, footnote.index) == ("1", "virtual", 1)  # separator counted, not shown
    assert footnote.revisions[0].author == "Canada"
    assert by_story["header"].story_id == "word/header1.xml"
    assert draft.body()[0].spans[-1].footnote == "1"
    assert draft.authors == ("Canada",)


def test_strict_documents_read_like_transitional():
    body = para(run("OP1 "), rev("ins", "1", "Japan", run("strictly")))
    strict = read_body(body, strict=True)
    transitional = read_body(body)
    assert strict.paragraphs == transitional.paragraphs
    assert strict.body()[0].current == "OP1 strictly"


def test_strict_namespace_written_as_text_stays_text():
    uri = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    draft = read_body(para(run(f"See {uri}")), strict=True)
    assert draft.body()[0].current == f"See {uri}"


def test_strict_corpus_file_reads_its_comment_and_section_change(real_corpus):
    comment = read_draft(real_corpus / "openxmlsdk__strict_CommentRangeStart.docx")
    assert len(comment.comments) == 1 and comment.comments[0].anchor
    section = read_draft(real_corpus / "openxmlsdk__strict_sectPrChange.docx")
    assert [(r.type, r.author) for p in section.body() for r in p.revisions] == [("section", "Hiroshi Harada")]


def test_producer_core_properties_and_macro_flag():
    app = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           "<Application>Microsoft Office Word</Application><AppVersion>16.0000</AppVersion></Properties>")
    core = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>UNODC</dc:creator>'
            "<cp:lastModifiedBy>Mission of Egypt</cp:lastModifiedBy></cp:coreProperties>")
    draft = read_body(para(run("x")), app=app, core=core)
    assert draft.producer == "Microsoft Office Word 16.0000"
    assert draft.core_properties == {"creator": "UNODC", "lastModifiedBy": "Mission of Egypt"}
    assert draft.has_macros is False


def test_real_producers_are_read_from_app_xml(real_corpus):
    assert read_draft(real_corpus / "docx-rs__history_libreoffice.docx").producer.startswith("LibreOffice/6.0.7.3")
    assert read_draft(real_corpus / "superdoc__gdocs-comments-export.docx").producer == ""  # Google Docs: no app.xml


def test_paragraph_indexes_follow_story_paragraphs_in_every_corpus_file(real_corpus):
    """The writer finds a paragraph again by (story, index): both count with story_paragraphs."""
    for path in sorted(real_corpus.glob("*.docx")):
        draft = read_draft(path)
        root = ooxml.normalize_namespaces(etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")))
        expected = [
            [t.text for t in p.iter(ooxml.W_T, ooxml.W_DEL_TEXT) if t.text and _owner(t) is p]
            for p in ooxml.story_paragraphs(root)
        ]
        body = draft.body()
        assert [p.index for p in body] == list(range(len(expected))), path.name
        for p, texts in zip(body, expected):
            markup = "".join(s.text for s in p.spans)  # both views' text, as Track Changes shows it
            at = 0
            for text in texts:  # every w:t / w:delText of that very w:p, in order
                found = markup.find(text, at)
                assert found >= 0, (path.name, p.index, text)
                at = found + len(text)


def _owner(t: etree._Element) -> etree._Element | None:
    return next(t.iterancestors(ooxml.W_P), None)


def test_bad_input_is_a_docxio_error_naming_the_file():
    with pytest.raises(DocxioError) as caught:
        read_draft(b"this is not a zip", "Egypt submission.docx")
    assert "Egypt submission.docx" in str(caught.value)
    with pytest.raises(DocxioError) as caught:
        read_draft(docx_from_xml("<w:p><w:r>unclosed"), "broken.docx")
    assert "broken.docx" in str(caught.value)
