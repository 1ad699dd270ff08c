"""The parts of a .docx the reader reads, and what the package says about the document.

Parts are parsed safely (``docxio.package.parse_xml``) and in transitional names whatever
namespaces the file used (Strict files too), and found through relationships by the last segment
of their type ("comments", "footnotes"...), so transitional and Strict relationship URIs both
match. The package-level facts a ``Draft`` carries are read here as well: the producer
(app.xml: "Microsoft Office Word 16.0000") and the core properties (core.xml: title, creator...).

Layering: package (bytes, safe parsing) -> ooxml (names) -> this module -> reader.
"""
from __future__ import annotations

from lxml import etree

from docxio import ooxml
from docxio.package import Package, parse_xml

__all__ = ["Related", "core_properties", "first_related", "part_root", "producer", "related_parts"]

#: Targets of a part's relationships by the last segment of their type.
Related = dict[str, list[str]]


def part_root(package: Package, name: str) -> etree._Element | None:
    """A part parsed safely, in transitional names whatever namespaces the file used; None when
    the package has no such part."""
    data = package.read(name)
    if data is None:
        return None
    root = parse_xml(ooxml.normalize_namespace_declarations(data), f"{package.file} ({name.lstrip('/')})")
    return ooxml.normalize_namespaces(root)


def related_parts(package: Package, source: str) -> Related:
    """Targets of ``source``'s internal relationships by the last segment of their type
    ("comments", "footnotes", "commentsExtended"...), so transitional and Strict URIs both match.
    Read once: the .rels part is parsed on every ``Package.relationships`` call."""
    found: Related = {}
    for rel in package.relationships(source):
        if not rel.external and package.read(rel.target) is not None:
            found.setdefault(rel.type.rsplit("/", 1)[-1], []).append(rel.target)
    return found


def first_related(related: Related, *suffixes: str) -> str | None:
    """The first target of the first of ``suffixes`` that has one, or None."""
    for suffix in suffixes:
        if related.get(suffix):
            return related[suffix][0]
    return None


def _top_level_texts(package: Package, name: str) -> list[tuple[str, str]]:
    """(local name, stripped text) of each child element of a properties part's root."""
    root = part_root(package, name)
    if root is None:
        return []
    return [(ooxml.local_name(el.tag), (el.text or "").strip()) for el in root if isinstance(el.tag, str)]


def producer(package: Package, related: Related) -> str:
    """The application that last saved the file, with its version ("Microsoft Office Word
    16.0000"); "" when the package does not say. ``related`` are the package's relationships."""
    name = first_related(related, "extended-properties", "extendedProperties") or "docProps/app.xml"
    values = dict(_top_level_texts(package, name))
    return " ".join(v for v in (values.get("Application", ""), values.get("AppVersion", "")) if v)


def core_properties(package: Package, related: Related) -> dict[str, str]:
    """The core properties that have a value ("title", "creator", "lastModifiedBy"...)."""
    name = first_related(related, "core-properties", "metadata") or "docProps/core.xml"
    return {key: text for key, text in _top_level_texts(package, name) if text}
