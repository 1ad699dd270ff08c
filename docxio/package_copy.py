"""The copy of the base package: the parts the consolidated draft adds or updates, and the zip.

The writer changes the main document (and, in the compilation rendering, accepts revisions in
headers, footers and notes); this module adds what goes around it — the comments part with its
relationship and content type, the Concord character styles, the core properties (revision
number, modified date) — finds the ids already taken, and writes the package back with every
other part byte for byte.
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

from docxio.compilation import STANCE_PASSAGE_DELETION_STYLE, STANCE_PASSAGE_STYLE
from docxio.ooxml import COMMENTS_RELATIONSHIP, CONTENT_TYPES_NS as CT_NS, NS, RELATIONSHIPS_NS as REL_NS, qn
from docxio.package import Package
from docxio.schema_order import insert_in_order, make_element as _w

#: The character styles of the compilation rendering: id, name, run properties (tag, attributes).
CONCORD_STYLES = (
    ("ConcordInsertion", "Concord Insertion", (("w:u", {"val": "single"}),)),
    ("ConcordDeletion", "Concord Deletion", (("w:strike", {}),)),
    ("ConcordAttribution", "Concord Attribution", ()),
    # Looks like the text around it (a secretariat may restyle it): it only tells a reader of
    # the compilation where the passage a stance note is on starts.
    (STANCE_PASSAGE_STYLE, "Concord Stance Passage", ()),
    (STANCE_PASSAGE_DELETION_STYLE, "Concord Stance Passage Deletion", (("w:strike", {}),)),
)
#: Styles based on another (restyling "Concord Deletion" restyles struck text in passages too).
_BASED_ON = {STANCE_PASSAGE_DELETION_STYLE: "ConcordDeletion"}

COMMENTS_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"


def serialize(root: etree._Element) -> bytes:
    """A part's XML as Word writes it: declaration, UTF-8, standalone."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def comments_part(package: Package, main: str, comments: list[etree._Element]) -> dict[str, bytes]:
    """The comments part with ours appended; created, related and typed when the base has none."""
    existing = package.related(main, "comments")
    changed: dict[str, bytes] = {}
    if existing:
        name = existing[0]
        root = package.xml(name)
    else:
        name = "word/comments.xml"
        root = etree.Element(qn("w:comments"), nsmap={"w": NS["w"], "r": NS["r"]})
        changed.update(_relate(package, main, name))
    for comment in comments:
        root.append(comment)
    changed[name] = serialize(root)
    return changed


def _relate(package: Package, main: str, name: str) -> dict[str, bytes]:
    """The relationship and content type a new comments part needs."""
    folder, base = main.rsplit("/", 1) if "/" in main else ("", main)
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    rels = package.xml(rels_name)
    if rels is None:
        rels = etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})
    taken = {r.get("Id") for r in rels}
    number = 1
    while f"rIdConcord{number}" in taken:
        number += 1
    target = name[len(folder) + 1:] if folder and name.startswith(folder + "/") else "/" + name
    etree.SubElement(rels, f"{{{REL_NS}}}Relationship", Id=f"rIdConcord{number}", Type=COMMENTS_RELATIONSHIP, Target=target)
    types = package.xml("[Content_Types].xml")
    override = etree.SubElement(types, f"{{{CT_NS}}}Override")
    override.set("PartName", "/" + name)
    override.set("ContentType", COMMENTS_CONTENT_TYPE)
    return {rels_name: serialize(rels), "[Content_Types].xml": serialize(types)}


def add_concord_styles(styles: etree._Element) -> None:
    """Add the Concord character styles to styles.xml (kept when the base already has them)."""
    present = {s.get(qn("w:styleId")) for s in styles.iter(qn("w:style"))}
    for style_id, name, properties in CONCORD_STYLES:
        if style_id in present:
            continue
        style = _w("w:style", type="character", customStyle="1", styleId=style_id)
        style.append(_w("w:name", val=name))
        if style_id in _BASED_ON:
            style.append(_w("w:basedOn", val=_BASED_ON[style_id]))
        style.append(_w("w:uiPriority", val="99"))
        style.append(_w("w:qFormat"))
        run_properties = etree.SubElement(style, qn("w:rPr"))
        for tag, attributes in properties:
            insert_in_order(run_properties, _w(tag, **attributes))
        styles.append(style)


def max_id(package: Package, attribute: str, exclude_comments: bool) -> int:
    """The largest numeric w:id in the document's XML parts (revisions, bookmarks share ranges
    in practice), so new revision ids never collide with the base's."""
    highest = 0
    name_attr = qn(attribute)
    for name in package.parts:
        if not name.startswith("word/") or not name.endswith(".xml") or "/_rels/" in name:
            continue
        if exclude_comments and name.endswith("comments.xml"):
            continue
        root = package.xml(name)
        for element in root.iter():
            value = element.get(name_attr) if isinstance(element.tag, str) else None
            if value and value.lstrip("-").isdigit():
                highest = max(highest, int(value))
    return highest


def max_comment_id(package: Package, main: str) -> int:
    """The largest comment id of the base, so our comments get new ones."""
    highest = -1
    for name in package.related(main, "comments"):
        for comment in package.xml(name).iter(qn("w:comment")):
            value = comment.get(qn("w:id"), "")
            if value.lstrip("-").isdigit():
                highest = max(highest, int(value))
    return highest


def updated_core(package: Package, stamp: str) -> dict[str, bytes]:
    """docProps/core.xml with the revision number incremented and the modified date set."""
    names = package.related("", "core-properties")
    if not names:
        return {}
    root = package.xml(names[0])
    revision = root.find(f"{{{NS['cp']}}}revision")
    if revision is None:
        revision = etree.SubElement(root, f"{{{NS['cp']}}}revision")
    number = (revision.text or "0").strip()
    revision.text = str(int(number) + 1 if number.isdigit() else 1)
    modified = root.find(f"{{{NS['dcterms']}}}modified")
    if modified is None:
        modified = etree.SubElement(root, f"{{{NS['dcterms']}}}modified")
        modified.set(qn("xsi:type"), "dcterms:W3CDTF")
    modified.text = stamp
    return {names[0]: serialize(root)}


def zip_package(package: Package, changed: dict[str, bytes]) -> bytes:
    """The package with changed parts replaced and new ones added; content types first."""
    buffer = io.BytesIO()
    names = list(package.parts)
    names += [n for n in changed if n not in package.parts]
    names.sort(key=lambda n: n != "[Content_Types].xml")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, changed.get(name, package.parts.get(name, b"")))
    return buffer.getvalue()
