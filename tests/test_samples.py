"""The committed sample round is what samples/README.md says it is, and regenerating it reproduces it.

The consolidation tests and the `make run` demo rely on these files; these tests read the XML with
lxml directly (not the project's reader), so a wrong sample is caught here and not mistaken for a
reader bug.
"""
from __future__ import annotations

import csv
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.lodoc import UNO_PYTHON, _check_installed

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
CHANGES = ("ins", "del", "moveFrom", "moveTo")

# body index of each paragraph in base.docx (see samples/README.md)
PP1, PP2, PP3 = 10, 11, 12
OP1, OP2, OP5, OP7, OP8, OP9, OP10, OP11, OP12 = 18, 19, 25, 27, 28, 29, 30, 31, 32
TITLE = 8

OP9BIS = ("Requests the United Nations Office on Drugs and Crime to provide specialized technical assistance and "
          "training to requesting States with a view to supporting their efforts in combating the misuse of "
          "information and communications technologies for drug trafficking;")
PP3BIS = ("PP3 bis. Taking into account the challenges that some Member States face in countering the misuse of "
          "information and communications technologies for drug trafficking, in particular in acquiring the "
          "software, hardware and equipment needed to handle digital evidence,")
OP10_TEXT = ("Invites Member States and other donors to provide extrabudgetary resources for the purposes described "
             "above, in accordance with the rules and procedures of the United Nations;")
OP11_TEXT = ("Requests the Executive Director of the United Nations Office on Drugs and Crime to report to the "
             "Commission on Narcotic Drugs at its seventy-first session on the implementation of the present resolution;")
VAS = "virtual asset service providers"
CUBA, VEN = "Misión Permanente de Cuba", "Delegación de Venezuela"
RF = "Delegation of the Russian Federation"

#: file -> (tracked changes as (body index, kind, author, text), comments as (author, text, anchored words))
#: Kinds: ins/del/moveFrom/moveTo of text; "mark-ins" etc. for a paragraph mark; "footnote" for an
#: inserted footnote reference. This is samples/README.md, section "The submissions".
EXPECTED = {
    "L5 ICT draft EGY.docx": (
        [(PP2, "ins", "Ahmed Hassan", "illicit "), (OP2, "ins", "Ahmed Hassan", "illicit ")],
        [("Ahmed Hassan", "consult with capital", VAS)]),
    "CND L5 - Singapore.docx": (
        [(PP2, "ins", "SGP", " and abuse"), (PP2, "ins", "SGP", "illicit "), (OP1, "ins", "SGP", " and abuse")], []),
    "L5 Cuba-Venezuela joint.docx": (
        [(PP2, "ins", CUBA, "illicit "),
         (OP8, "del", VEN, "close cooperation"), (OP8, "ins", VEN, "close consultation"), (OP8, "ins", VEN, "further "),
         (OP9, "mark-ins", CUBA, ""), (OP9 + 1, "ins", CUBA, OP9BIS)], []),
    "Turkiye comments L5.docx": (
        [(PP1, "ins", "Türkiye", "the deepweb, "), (PP3, "mark-ins", "Türkiye", ""), (PP3 + 1, "ins", "Türkiye", PP3BIS)],
        [("Türkiye", "retain", VAS)]),
    "iran comments (2).docx": (
        [(PP2, "del", "User", "drug-related money-laundering"),
         (PP2, "ins", "User", "laundering proceeds of drug-related crimes")],
        [("User", "reservation", VAS)]),
    "China proposals L5.docx": (
        [(PP2, "del", "Wang Lei", "drug-related money-laundering"),
         (PP2, "ins", "Wang Lei", "illicit financial flows linked to drug trafficking"),
         (OP2, "del", "Wang Lei", "Urges"), (OP2, "ins", "Wang Lei", "Encourages")], []),
    "L5 ICT draft (2) USA.docx": (
        [(OP10, "mark-del", "USA", ""), (OP10, "del", "USA", OP10_TEXT)], []),
    "EU comments L.5.docx": (
        [],
        [("EU Delegation", "Reservation on the resolution",
          "Strengthening international cooperation in preventing and combating the misuse of information and "
          "communications technologies for illicit drug trafficking"),
         ("EU Delegation", "flexible", VAS)]),
    "Mexico L5 ICT.docx": (
        [(PP3, "del", "Delegation of Mexico", "Recognizing"), (PP3, "ins", "Delegation of Mexico", "Acknowledging"),
         (OP11, "mark-moveFrom", "Delegation of Mexico", ""), (OP11, "moveFrom", "Delegation of Mexico", OP11_TEXT),
         (OP12, "mark-moveTo", "Delegation of Mexico", ""), (OP12 + 1, "moveTo", "Delegation of Mexico", OP11_TEXT)],
        []),
    "L5 ICT draft PAK.docx": ([], []),
    "Chair's proposal PP1.docx": ([(PP1, "ins", "Chair's proposal", "illicit ")], []),
    "RF amendments L5.docx": (
        [(PP1, "footnote", RF, ""), (OP5, "del", RF, "virtual asset"), (OP5, "ins", RF, "digital asset")], []),
    "ZA inputs L5.docx": (
        [(PP1, "ins", "Delegation of South Africa", " and precursors"),
         (OP9, "ins", "Delegation of South Africa", " and capacity-building")], []),
}


def _xml(path: Path, name: str) -> etree._Element | None:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name)) if name in z.namelist() else None


def _text(element: etree._Element) -> str:
    return "".join(element.xpath(".//w:t/text()|.//w:delText/text()", namespaces=NS))


def body(path: Path) -> list[etree._Element]:
    return _xml(path, "word/document.xml").xpath("/w:document/w:body/w:p", namespaces=NS)


def tracked_changes(path: Path) -> list[tuple[int, str, str, str]]:
    """Every tracked change of the body with text, a paragraph mark or a footnote reference, in order."""
    found = []
    for index, p in enumerate(body(path)):
        for mark in p.xpath("w:pPr/w:rPr/*", namespaces=NS):
            if etree.QName(mark).localname in CHANGES:
                found.append((index, "mark-" + etree.QName(mark).localname, mark.get(f"{{{W}}}author"), ""))
        for change in p.xpath(" | ".join(f"w:{k}" for k in CHANGES), namespaces=NS):
            kind, author, text = etree.QName(change).localname, change.get(f"{{{W}}}author"), _text(change)
            if change.xpath(".//w:footnoteReference", namespaces=NS):
                found.append((index, "footnote", author, ""))
            elif text:  # LibreOffice wraps comment anchors added while recording in an empty w:ins
                found.append((index, kind, author, text))
    return found


def comments(path: Path) -> list[tuple[str, str, str]]:
    """(author, text, anchored words) of each comment, in comments.xml order."""
    root = _xml(path, "word/comments.xml")
    if root is None:
        return []
    doc = _xml(path, "word/document.xml")
    anchored: dict[str, list[str]] = {}
    open_ids: set[str] = set()
    for el in doc.iter(f"{{{W}}}commentRangeStart", f"{{{W}}}commentRangeEnd", f"{{{W}}}t"):
        name = etree.QName(el).localname
        if name == "commentRangeStart":
            open_ids.add(el.get(f"{{{W}}}id"))
            anchored.setdefault(el.get(f"{{{W}}}id"), [])
        elif name == "commentRangeEnd":
            open_ids.discard(el.get(f"{{{W}}}id"))
        else:
            for cid in open_ids:
                anchored[cid].append(el.text or "")
    return [(c.get(f"{{{W}}}author"), _text(c), "".join(anchored.get(c.get(f"{{{W}}}id"), [])))
            for c in root.xpath("w:comment", namespaces=NS)]


def authors(path: Path) -> set[str]:
    """Every author of a tracked change or comment in the file."""
    doc = _xml(path, "word/document.xml")
    names = set(doc.xpath("//w:ins/@w:author|//w:del/@w:author|//w:moveFrom/@w:author|//w:moveTo/@w:author"
                          "|//w:rPrChange/@w:author", namespaces=NS))
    return names | {a for a, _, _ in comments(path)}


def manifest() -> list[dict]:
    return json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- committed files


def test_the_round_is_complete_and_the_manifest_names_every_submission_in_arrival_order():
    assert (SAMPLES / "base.docx").is_file() and (SAMPLES / "round0.docx").is_file()
    files = sorted(p.name for p in (SAMPLES / "submissions").glob("*.docx"))
    entries = manifest()
    assert len(files) >= 13
    assert sorted(e["file"] for e in entries) == files == sorted(EXPECTED)
    arrivals = [e["arrived"] for e in entries]
    assert arrivals == sorted(arrivals) and len(set(arrivals)) == len(arrivals)
    assert all("@" in e["sender"] for e in entries)


def test_registry_knows_the_submitting_delegations_and_the_author_aliases():
    with open(SAMPLES / "delegations.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["delegation", "aliases", "emails"]
    registry = {r["delegation"]: [a.strip() for a in r["aliases"].split(";")] for r in rows}
    domains = {r["delegation"]: [e.strip() for e in r["emails"].split(";")] for r in rows}
    assert len(registry) >= 15 and "Turkey" in registry and "Türkiye" in registry["Turkey"]
    assert registry["Chair"] == ["Chair's proposal", "Chair", "Facilitator"]
    for entry in manifest():
        if entry["delegation"] is not None:
            assert entry["delegation"] in registry
            assert any(entry["sender"].endswith(d) if d.startswith("@") else entry["sender"] == d
                       for d in domains[entry["delegation"]])
    every_alias = {a for aliases in registry.values() for a in aliases}
    known_authors = set().union(*(authors(SAMPLES / "submissions" / f) for f in EXPECTED)) - {"User"}
    assert known_authors <= every_alias  # "User" only the sender can attribute
    assert "User" not in every_alias


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submission_has_exactly_the_changes_and_comments_the_readme_lists(name):
    path = SAMPLES / "submissions" / name
    changes, notes = EXPECTED[name]
    assert tracked_changes(path) == changes
    assert comments(path) == notes


def test_pakistan_edited_without_track_changes():
    base = [_text(p) for p in body(SAMPLES / "base.docx")]
    pak = [_text(p) for p in body(SAMPLES / "submissions" / "L5 ICT draft PAK.docx")]
    differ = [i for i, (a, b) in enumerate(zip(base, pak)) if a != b]
    assert differ == [PP1, OP7]
    assert pak[PP1] == base[PP1].replace("anonymous and encrypted", "online marketplaces, anonymous and encrypted")
    assert pak[OP7] == base[OP7].replace(" and the darknet", "")


def test_south_africa_marked_up_the_older_round():
    base, round0 = body(SAMPLES / "base.docx"), body(SAMPLES / "round0.docx")
    differ = [i for i, (a, b) in enumerate(zip(base, round0)) if _text(a) != _text(b)]
    assert differ == [1, PP1, OP5]  # the date line, PP1 and OP5
    za = body(SAMPLES / "submissions" / "ZA inputs L5.docx")
    original = "".join(za[PP1].xpath(".//w:r[not(ancestor::w:ins)]/w:t/text()", namespaces=NS))
    assert original == _text(round0[PP1]) != _text(base[PP1])


def test_base_draft_has_typed_pp_labels_real_op_numbering_footnote_header_and_page_numbers():
    path = SAMPLES / "base.docx"
    paras = body(path)
    texts = [_text(p) for p in paras]
    assert texts[TITLE].startswith("Strengthening international cooperation") and texts[9] == "The Commission on Narcotic Drugs,"
    assert [t.split(".")[0] for t in texts[PP1:PP1 + 8]] == [f"PP{i}" for i in range(1, 9)]
    numbered = [(p.xpath("string(w:pPr/w:numPr/w:numId/@w:val)", namespaces=NS),
                 p.xpath("string(w:pPr/w:numPr/w:ilvl/@w:val)", namespaces=NS)) for p in paras[OP1:]]
    assert len(numbered) == 15 and len({n for n, _ in numbered}) == 1 and numbered[0][0] not in ("", "0")
    assert [lvl for _, lvl in numbered] == ["0"] * 3 + ["1"] * 3 + ["0"] * 9
    assert not any(t[:1].isdigit() for t in texts[OP1:])  # numbers come from the list, not typed
    assert all(p.xpath("string(w:pPr/w:numPr/w:numId/@w:val)", namespaces=NS) in ("", "0") for p in paras[:OP1])
    assert paras[15].xpath(".//w:footnoteReference", namespaces=NS)
    with zipfile.ZipFile(path) as z:
        assert any("E/CN.7/2027/L.5" in z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))
        assert any("PAGE" in z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    assert not _xml(path, "word/document.xml").xpath("//w:ins|//w:del", namespaces=NS)


def test_every_submission_opens_and_names_its_authors():
    for name in EXPECTED:
        path = SAMPLES / "submissions" / name
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        expected = {a for _, _, a, _ in EXPECTED[name][0]} | {a for a, _, _ in EXPECTED[name][1]}
        assert authors(path) == expected, name


# ----------------------------------------------------------------------------- regeneration


@pytest.mark.libreoffice
def test_regenerating_reproduces_the_same_tracked_changes(tmp_path):
    _check_installed()
    done = subprocess.run([UNO_PYTHON, str(SAMPLES / "generate.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    for name in EXPECTED:
        fresh, committed = tmp_path / "submissions" / name, SAMPLES / "submissions" / name
        assert tracked_changes(fresh) == tracked_changes(committed), name
        assert comments(fresh) == comments(committed), name
        assert [_text(p) for p in body(fresh)] == [_text(p) for p in body(committed)], name
    for name in ("manifest.json", "delegations.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (SAMPLES / name).read_text(encoding="utf-8")
    for name in ("base.docx", "round0.docx"):
        assert [_text(p) for p in body(tmp_path / name)] == [_text(p) for p in body(SAMPLES / name)]
