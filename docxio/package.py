"""The .docx package: a zip of parts, found through content types and relationships.

Opening is safe: XML is parsed without entities or network access, and hostile archives are
refused with a PackageError naming the file and the problem.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from docxio.errors import InvalidXmlError, PackageError

_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False, load_dtd=False
)

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part: id, type (transitional or strict URI), resolved target."""

    id: str
    type: str
    target: str
    external: bool = False


@dataclass
class Package:
    """The parts of an opened package, by name without leading slash ("word/document.xml")."""

    file: str
    parts: dict[str, bytes]
    content_types: dict[str, str] = field(default_factory=dict)

    def read(self, name: str) -> bytes | None:
        """The bytes of a part, or None when the package has no such part."""
        return self.parts.get(name.lstrip("/"))

    def xml(self, name: str) -> etree._Element | None:
        """The parsed root element of a part, or None when the package has no such part."""
        data = self.read(name)
        if data is None:
            return None
        return parse_xml(data, f"{self.file} ({name})")

    def relationships(self, name: str) -> list[Relationship]:
        """Relationships of a part ("" for the package itself), targets resolved to part names."""
        folder, base = posixpath.split(name)
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
            raise PackageError(self.file, "not a Word document: the package has no main document part")
        return found[0]


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse XML safely (no entity expansion, no DTD, no network); errors name ``where``."""
    try:
        return etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidXmlError(where, f"XML is not well-formed ({exc})") from exc


def open_package(source: str | Path | bytes, name: str | None = None) -> Package:
    """Open a .docx from a path or bytes. ``name`` is how errors refer to the file."""
    if isinstance(source, (str, Path)):
        name = name or Path(source).name
        data = Path(source).read_bytes()
    else:
        data = source
        name = name or "document"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except (zipfile.BadZipFile, EOFError) as exc:
        raise PackageError(name, f"not a readable Word document ({exc})") from exc
    package = Package(name, parts)
    types = package.xml("[Content_Types].xml")
    if types is not None:
        for override in types.iter(f"{{{CT_NS}}}Override"):
            package.content_types[override.get("PartName", "").lstrip("/")] = override.get("ContentType", "")
    return package
