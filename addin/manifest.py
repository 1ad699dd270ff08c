"""The Word add-in manifest: the template rewritten for the backend's public URL, and its checks.

The template (``addin/manifest_template.xml``, package data so an installed backend has it) names
the development origin ``https://localhost:5443``;
``build_manifest`` moves every URL in it to the origin the backend is really served on, then runs
the checks the XSD cannot make (``manifest_problems``): every URL is HTTPS on that one origin, every
``resid`` resolves to a resource of the right kind, and the icons exist in the sizes Office asks for.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

TEMPLATE = Path(__file__).resolve().parent / "manifest_template.xml"
ICON_DIR = Path(__file__).resolve().parent / "static" / "addin" / "icons"

#: The origin the template is written for.
TEMPLATE_ORIGIN = "https://localhost:5443"
#: Where the backend serves the icons (addin/taskpane.py); the checks map these URLs to ICON_DIR.
ICON_PATH = "/addin/icons/"
#: Ribbon icon sizes Office requires (OfficeAppBasicTypesV1_0.xsd annotation).
REQUIRED_ICON_SIZES = (16, 32, 80)

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
}

#: Which resource list a ``resid`` must resolve in, by the local name of the element carrying it.
RESID_KINDS = {
    "Image": "Images",
    "SourceLocation": "Urls",
    "FunctionFile": "Urls",
    "LearnMoreUrl": "Urls",
    "Label": "ShortStrings",
    "Title": "ShortStrings",
    "Description": "LongStrings",
}

#: Top-level (base manifest) icons and the pixel size each must have.
BASE_ICON_SIZES = {"IconUrl": 32, "HighResolutionIconUrl": 64}


class ManifestError(ValueError):
    """The manifest (or the public URL it is built for) is unusable; ``source`` names where it came
    from and ``problems`` lists every problem found, each a sentence."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


@dataclass(frozen=True)
class ManifestUrl:
    """One URL in the manifest: where it sits (element name and line) and its value."""

    where: str
    line: int
    url: str


def public_origin(public_url: str) -> str:
    """The ``https://host[:port]`` origin of a public URL, or ManifestError saying what is wrong.

    A trailing slash is tolerated; a path, query or plain-HTTP URL is not, because Office loads
    the pane only over HTTPS and the backend serves the add-in at the root of its origin.
    """
    parts = urlsplit(public_url.strip())
    problems = []
    if parts.scheme != "https":
        problems.append(f"the public URL must start with https:// (Office loads add-ins only over HTTPS), got {public_url!r}")
    if not parts.hostname:
        problems.append(f"the public URL has no host name: {public_url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        problems.append(f"the public URL must be an origin such as https://concord.example.org, without a path: {public_url!r}")
    if problems:
        raise ManifestError("public URL", problems)
    return f"https://{parts.netloc}"


def manifest_urls(root: etree._Element) -> list[ManifestUrl]:
    """Every URL the manifest declares: DefaultValue/Override attributes that look like URLs, and
    AppDomain texts."""
    found: list[ManifestUrl] = []
    for element in root.iter(etree.Element):
        local = etree.QName(element).localname
        for attribute in ("DefaultValue", "Value"):
            value = element.get(attribute)
            if value is not None and "://" in value:
                found.append(ManifestUrl(local, element.sourceline or 0, value))
        if local == "AppDomain" and element.text:
            found.append(ManifestUrl(local, element.sourceline or 0, element.text.strip()))
    return found


def _rewrite(root: etree._Element, origin: str) -> None:
    """Replace the template origin by ``origin`` in every URL of the tree."""
    for element in root.iter(etree.Element):
        for attribute in ("DefaultValue", "Value"):
            value = element.get(attribute)
            if value is not None and value.startswith(TEMPLATE_ORIGIN):
                element.set(attribute, origin + value[len(TEMPLATE_ORIGIN):])
        if etree.QName(element).localname == "AppDomain" and (element.text or "").strip() == TEMPLATE_ORIGIN:
            element.text = origin


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG file, or None when it is missing or not a PNG."""
    try:
        head = path.read_bytes()[:24]
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def _size(image: etree._Element) -> int:
    """The declared pixel size of a bt:Image (0 when absent or not a number: the XSD's to report)."""
    text = image.get("size", "")
    return int(text) if text.strip().isdigit() else 0


def _icon_problem(url: str, size: int, icon_dir: Path, where: str) -> str | None:
    """Why the icon at ``url`` is not a ``size``-pixel square PNG we serve, or None if it is."""
    path = urlsplit(url).path
    if not path.startswith(ICON_PATH):
        return f"{where}: icon {url} is not one of the icons the backend serves under {ICON_PATH}"
    file = icon_dir / path[len(ICON_PATH):]
    found = png_size(file)
    if found is None:
        return f"{where}: icon {url} has no PNG file ({file.name} is missing or not a PNG)"
    if found != (size, size):
        return f"{where}: icon {url} is {found[0]}x{found[1]} pixels, Office expects {size}x{size}"
    return None


def manifest_problems(xml: bytes | str, icon_dir: Path = ICON_DIR) -> list[str]:
    """The problems the XSD cannot see, as sentences (empty when the manifest is usable).

    Checks: every URL is HTTPS and on the origin of the pane's SourceLocation; every ``resid``
    resolves to a resource of the kind its element needs (an image for an Icon, a URL for a
    SourceLocation...); the ribbon icons come in 16, 32 and 80 px, and every icon URL maps to a PNG
    of the declared size in ``icon_dir``. Malformed XML is itself reported as a problem.
    """
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    problems: list[str] = []

    urls = manifest_urls(root)
    source = root.find("o:DefaultSettings/o:SourceLocation", NS)
    origin = None
    if source is None or not source.get("DefaultValue"):
        problems.append("DefaultSettings/SourceLocation is missing: Office would not know which page to open")
    else:
        parts = urlsplit(source.get("DefaultValue"))
        # An http SourceLocation is reported once below, not again as every other URL's origin.
        origin = f"https://{parts.netloc}" if parts.scheme == "https" else None
    for found in urls:
        if not found.url.startswith("https://"):
            problems.append(f"line {found.line}: {found.where} URL {found.url} is not HTTPS (Office requires HTTPS)")
        elif origin and not (found.url == origin or found.url.startswith(origin + "/")):
            problems.append(f"line {found.line}: {found.where} URL {found.url} is not on the add-in's origin {origin}")

    resources: dict[str, dict[str, str]] = {}
    for kind in ("Images", "Urls", "ShortStrings", "LongStrings"):
        resources[kind] = {
            r.get("id"): r.get("DefaultValue", "")
            for r in root.iterfind(f".//ov:Resources/bt:{kind}/*", NS)
        }
    for element in root.iter(etree.Element):
        resid = element.get("resid")
        if resid is None:
            continue
        local = etree.QName(element).localname
        kind = RESID_KINDS.get(local)
        if kind is None:
            problems.append(f"line {element.sourceline}: resid {resid!r} on unexpected element {local}")
        elif resid not in resources[kind]:
            elsewhere = [k for k, ids in resources.items() if resid in ids]
            hint = f" (it is in {elsewhere[0]})" if elsewhere else ""
            problems.append(f"line {element.sourceline}: {local} resid {resid!r} does not resolve in Resources/{kind}{hint}")

    for icon in root.iterfind(".//ov:Icon", NS):
        sizes = {_size(i) for i in icon.iterfind("bt:Image", NS)}
        missing = [s for s in REQUIRED_ICON_SIZES if s not in sizes]
        if missing:
            problems.append(f"line {icon.sourceline}: Icon lacks the required sizes {', '.join(map(str, missing))} px")
        for image in icon.iterfind("bt:Image", NS):
            url = resources["Images"].get(image.get("resid"))
            if not _size(image):
                problems.append(f"line {image.sourceline}: icon size {image.get('size')!r} is not a number of pixels")
            elif url:
                problem = _icon_problem(url, _size(image), icon_dir, f"line {image.sourceline}")
                if problem:
                    problems.append(problem)
    for local, size in BASE_ICON_SIZES.items():
        element = root.find(f"o:{local}", NS)
        if element is not None and element.get("DefaultValue"):
            problem = _icon_problem(element.get("DefaultValue"), size, icon_dir, f"line {element.sourceline}: {local}")
            if problem:
                problems.append(problem)
    # Each problem once, in document order (an icon shared by the group and the button is seen twice).
    return list(dict.fromkeys(problems))


def build_manifest(public_url: str, template: Path = TEMPLATE) -> str:
    """The manifest XML for an add-in served at ``public_url`` (an ``https://host[:port]`` origin).

    Every URL of the template is moved to that origin, then checked with ``manifest_problems``.
    Raises ManifestError naming the problem for a non-HTTPS or malformed URL, an unreadable
    template, or a template that fails the checks.
    """
    origin = public_origin(public_url)
    try:
        data = template.read_bytes()
    except OSError as exc:
        raise ManifestError(str(template), [f"cannot read the manifest template: {exc.strerror}"]) from exc
    try:
        # Comments go: they describe the template, not the manifest served for another origin.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise ManifestError(str(template), [f"the manifest template is not well-formed XML: {exc}"]) from exc
    _rewrite(tree.getroot(), origin)
    xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    problems = manifest_problems(xml)
    if problems:
        raise ManifestError(str(template), problems)
    return xml
