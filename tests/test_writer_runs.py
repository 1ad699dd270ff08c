"""Finding an offset of a paragraph's current text among its runs, and cutting runs there without
losing formatting, hyperlinks, earlier revisions or content controls."""
from __future__ import annotations

import itertools

from lxml import etree

from docxio.ooxml import NS, qn
from docxio.runs import atoms, child_ranges, paragraph_text, split_at, split_at_all

W = NS["w"]


def paragraph(inner: str) -> etree._Element:
    return etree.fromstring(f'<w:p xmlns:w="{W}" xmlns:r="{NS["r"]}">{inner}</w:p>')


def ids():
    counter = itertools.count(900)
    return lambda: str(next(counter))


def children_text(p: etree._Element) -> list[str]:
    """Current text of each child of the paragraph that shows some."""
    return ["".join(a.text for a in atoms(p) if a.run is child or child in a.run.iterancestors())
            for child, _, _ in child_ranges(p)]


def test_current_text_skips_deleted_text_and_counts_tabs():
    p = paragraph('<w:r><w:t>PP1.</w:t><w:tab/></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>old </w:delText>'
                  '</w:r></w:del><w:ins w:id="2" w:author="B"><w:r><w:t>new text</w:t></w:r></w:ins>')
    assert paragraph_text(p) == "PP1.\tnew text"


def test_text_of_a_text_box_is_not_the_anchoring_paragraph_s():
    p = paragraph('<w:r><w:t>Before </w:t></w:r><w:r><w:drawing><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r>'
                  '</w:p></w:txbxContent></w:drawing></w:r><w:r><w:t>after</w:t></w:r>')
    assert paragraph_text(p) == "Before after"


def test_cutting_a_run_keeps_its_formatting_on_both_halves():
    p = paragraph('<w:r><w:rPr><w:b/></w:rPr><w:t>misuse by</w:t></w:r>')
    split_at(p, 6, ids())
    runs = p.findall(qn("w:r"))
    assert [r.find(qn("w:t")).text for r in runs] == ["misuse", " by"]
    assert all(r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None for r in runs)


def test_cutting_inside_an_earlier_insertion_cuts_the_insertion_with_a_fresh_id():
    p = paragraph('<w:r><w:t>the report</w:t></w:r><w:ins w:id="5" w:author="Chair" w:date="2027-01-10T09:00:00Z">'
                  '<w:r><w:t> of the Secretary-General</w:t></w:r></w:ins>')
    split_at(p, len("the report of the "), ids())
    insertions = p.findall(qn("w:ins"))
    assert [i.get(qn("w:author")) for i in insertions] == ["Chair", "Chair"]
    assert [i.get(qn("w:id")) for i in insertions] == ["5", "900"]
    assert children_text(p) == ["the report", " of the ", "Secretary-General"]


def test_cutting_inside_a_hyperlink_keeps_both_halves_linked():
    p = paragraph('<w:hyperlink r:id="rId7"><w:r><w:t>World Drug Report</w:t></w:r></w:hyperlink>')
    split_at(p, len("World "), ids())
    links = p.findall(qn("w:hyperlink"))
    assert [link.get(qn("r:id")) for link in links] == ["rId7", "rId7"]
    assert children_text(p) == ["World ", "Drug Report"]


def test_a_content_control_is_not_cut_but_its_content_is():
    p = paragraph('<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent><w:r><w:t>This is the Author</w:t></w:r>'
                  '</w:sdtContent></w:sdt>')
    split_at_all(p, [5, 12], ids())
    assert len(p.findall(qn("w:sdt"))) == 1
    assert children_text(p) == ["This ", "is the ", "Author"]


def test_several_offsets_in_one_run_give_every_piece():
    p = paragraph('<w:r><w:t>abcdefghij</w:t></w:r>')
    split_at_all(p, [2, 5, 5, 9, 0, 10], ids())
    assert children_text(p) == ["ab", "cde", "fghi", "j"]
    assert paragraph_text(p) == "abcdefghij"
