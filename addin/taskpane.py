"""The Word add-in's pages: the task pane, the ribbon's function file, the manifest and the icons.

Served under ``/addin/`` from the same origin as the API, so the pane needs no CORS. The manifest
is built for the configured ``PUBLIC_URL`` (or, when unset, the origin the request came to), so
the file a mission's IT sideloads always points back at this server.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from addin.config import public_url
from addin.manifest import ICON_DIR, ManifestError, build_manifest

bp = Blueprint("taskpane", __name__, url_prefix="/addin")

STATIC_DIR = ICON_DIR.parent
#: Pages and scripts of the pane; nothing else in the folder is served by name.
PAGES = (
    "taskpane.html", "taskpane.css", "identifiers.js", "backend.js", "word.js", "taskpane.js",
    "commands.html", "commands.js", "help.html",
)
ICON_SIZES = (16, 32, 64, 80)
#: Office caches ribbon icons and refuses icons sent with no-cache; a day is plenty.
ICON_MAX_AGE = 24 * 3600

# Office.js comes only from Microsoft's CDN; everything else from this origin. No frame-ancestors:
# Word on the web shows the pane in an iframe of an Office host whose origin varies.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' https://appsforoffice.microsoft.com; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)


@bp.get("/manifest.xml")
def manifest() -> Response:
    """The add-in manifest for this server's public URL (download it to sideload in Word)."""
    try:
        xml = build_manifest(public_url())
    except ManifestError as exc:
        # A misconfigured PUBLIC_URL (http://...) is the operator's problem: say which setting.
        return Response(
            f"Cannot serve the add-in manifest: {exc}. Set CONCORD_PUBLIC_URL to the server's https:// origin.\n",
            status=500, mimetype="text/plain",
        )
    response = Response(xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = 'attachment; filename="concord-manifest.xml"'
    return response


@bp.get("/icons/icon-<int:size>.png")
def icon(size: int) -> Response:
    """One of the add-in's icons (16, 32, 64, 80 px), cacheable as Office requires."""
    if size not in ICON_SIZES:
        abort(404)
    return send_from_directory(ICON_DIR, f"icon-{size}.png", max_age=ICON_MAX_AGE, mimetype="image/png")


@bp.get("/<name>")
def page(name: str) -> Response:
    """The task pane, the ribbon function file, the help page and their scripts and styles."""
    if name not in PAGES:
        abort(404)
    response = send_from_directory(STATIC_DIR, name, max_age=0)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/help")
def help_page() -> Response:
    """How to install the add-in (the manifest's SupportUrl)."""
    return page("help.html")


@bp.get("/")
def index() -> Response:
    """/addin/ opens the task pane (handy when testing in a browser)."""
    return page("taskpane.html")
