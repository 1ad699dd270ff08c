"""The Word add-in manifest: valid against Microsoft's schemas, and the checks the schemas cannot
make (HTTPS everywhere, every resid resolves, icons in the sizes Office needs)."""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from addin import create_app
from addin.commands import manifest as manifest_command
from addin.manifest import (
    ICON_DIR, TEMPLATE, ManifestError, build_manifest, manifest_problems, manifest_urls, png_size,
)
from tests.conftest import shared_dir

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://concord.example.org:8443"
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """Microsoft's OfficeApp 1.1 schema (with the task pane VersionOverrides it imports)."""
    return etree.XMLSchema(etree.parse(str(shared_dir("schemas", "officeapp") / "OfficeAppManifestV1_1.xsd")))


def schema_errors(schema: etree.XMLSchema, xml: str) -> list[str]:
    ok = schema.validate(etree.fromstring(xml.encode("utf-8")))
    return [] if ok else [f"line {e.line}: {e.message}" for e in schema.error_log]


def test_template_and_built_manifest_are_valid_against_the_office_schema(schema):
    assert schema_errors(schema, TEMPLATE.read_text(encoding="utf-8")) == []
    assert schema_errors(schema, build_manifest(PUBLIC)) == []


def test_every_url_moves_to_the_public_origin():
    xml = build_manifest(PUBLIC + "/")
    urls = [u.url for u in manifest_urls(etree.fromstring(xml.encode()))]
    assert len(urls) >= 10
    assert all(u == PUBLIC or u.startswith(PUBLIC + "/") for u in urls), urls
    assert "localhost" not in xml
    root = etree.fromstring(xml.encode())
    assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == PUBLIC + "/addin/taskpane.html"
    assert [d.text for d in root.iterfind("o:AppDomains/o:AppDomain", NS)] == [PUBLIC]


def test_manifest_declares_word_a_ribbon_button_and_the_lowest_requirement_set():
    root = etree.fromstring(build_manifest(PUBLIC).encode())
    assert [h.get("Name") for h in root.iterfind("o:Hosts/o:Host", NS)] == ["Document"]
    assert root.findtext("o:Permissions", namespaces=NS) == "ReadWriteDocument"
    sets = {s.get("Name"): s.get("MinVersion") for s in root.iterfind("o:Requirements/o:Sets/o:Set", NS)}
    # 1.3 keeps Office 2019/2021 in; the pane checks 1.4 at run time for Track Changes and comments.
    assert sets == {"WordApi": "1.3"}
    action = root.find(".//ov:Control[@id='Concord.TaskpaneButton']/ov:Action", NS)
    assert action.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "ShowTaskpane"


def test_the_shipped_manifest_passes_the_checks_the_schema_cannot_make():
    assert manifest_problems(build_manifest(PUBLIC)) == []


def test_an_http_url_in_the_manifest_is_rejected(schema):
    xml = build_manifest(PUBLIC).replace(f"{PUBLIC}/addin/commands.html", "http://concord.example.org:8443/addin/commands.html")
    assert schema_errors(schema, xml) == [], "the schema itself accepts http: the check is ours"
    problems = manifest_problems(xml)
    assert len(problems) == 1 and "http://concord.example.org:8443/addin/commands.html is not HTTPS" in problems[0]


def test_a_url_on_another_origin_is_rejected():
    xml = build_manifest(PUBLIC).replace(f"{PUBLIC}/addin/help", "https://elsewhere.example.org/help")
    problems = manifest_problems(xml)
    assert problems and all("is not on the add-in's origin https://concord.example.org:8443" in p for p in problems)


def test_a_missing_resid_is_rejected(schema):
    xml = build_manifest(PUBLIC).replace('<bt:Url id="Concord.Taskpane.Url"', '<bt:Url id="Concord.Taskpane.Link"')
    assert schema_errors(schema, xml) == [], "the schema itself accepts a dangling resid: the check is ours"
    problems = manifest_problems(xml)
    assert problems == [p for p in problems if "'Concord.Taskpane.Url' does not resolve in Resources/Urls" in p]
    assert len(problems) == 1


def test_a_resid_of_the_wrong_kind_is_rejected():
    # A button label pointing at a long string: the id exists, but not among the short strings.
    xml = build_manifest(PUBLIC).replace('<Label resid="Concord.Button.Label"/>', '<Label resid="Concord.Button.Tooltip"/>')
    problems = manifest_problems(xml)
    assert len(problems) == 1
    assert "'Concord.Button.Tooltip' does not resolve in Resources/ShortStrings (it is in LongStrings)" in problems[0]


def test_ribbon_icons_must_come_in_16_32_and_80_px():
    xml = build_manifest(PUBLIC)
    without_80 = xml.replace('<bt:Image size="80" resid="Concord.Icon.80"/>', "")
    problems = manifest_problems(without_80)
    assert problems and all("Icon lacks the required sizes 80 px" in p for p in problems)


def test_an_icon_file_of_the_wrong_size_or_missing_is_rejected(tmp_path):
    icons = tmp_path / "icons"
    shutil.copytree(ICON_DIR, icons)
    xml = build_manifest(PUBLIC)
    assert manifest_problems(xml, icons) == []
    shutil.copy(icons / "icon-16.png", icons / "icon-80.png")
    (icons / "icon-64.png").unlink()
    problems = manifest_problems(xml, icons)
    assert any("icon-80.png is 16x16 pixels, Office expects 80x80" in p for p in problems)
    assert any("HighResolutionIconUrl" in p and "icon-64.png has no PNG file" in p for p in problems)


def test_malformed_manifest_xml_is_reported_not_raised():
    problems = manifest_problems(b"<OfficeApp><Id>")
    assert len(problems) == 1 and problems[0].startswith("not well-formed XML")


@pytest.mark.parametrize("url, problem", [
    ("http://concord.example.org", "must start with https://"),
    ("https://", "has no host name"),
    ("https://concord.example.org/concord", "without a path"),
    ("concord.example.org", "must start with https://"),
])
def test_a_public_url_that_office_cannot_use_is_refused(url, problem):
    with pytest.raises(ManifestError) as caught:
        build_manifest(url)
    assert problem in str(caught.value)
    assert str(caught.value).startswith("public URL:")


def test_a_broken_template_is_named_in_the_error(tmp_path):
    broken = tmp_path / "concord.xml"
    broken.write_text(TEMPLATE.read_text(encoding="utf-8").replace(
        "https://localhost:5443/addin/taskpane.html", "http://localhost:5443/addin/taskpane.html"), encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        build_manifest(PUBLIC, template=broken)
    assert str(broken) in str(caught.value) and "is not HTTPS" in str(caught.value)
    with pytest.raises(ManifestError, match="cannot read the manifest template"):
        build_manifest(PUBLIC, template=tmp_path / "absent.xml")


def test_icons_are_real_pngs_in_every_size_and_are_what_the_script_draws(tmp_path):
    for size in (16, 32, 64, 80):
        assert png_size(ICON_DIR / f"icon-{size}.png") == (size, size)
    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "manifest" / "make_icons.py")
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    make_icons.main(tmp_path)
    for size in (16, 32, 64, 80):
        assert (tmp_path / f"icon-{size}.png").read_bytes() == (ICON_DIR / f"icon-{size}.png").read_bytes(), \
            f"icon-{size}.png differs from what manifest/make_icons.py draws: run it and commit the PNGs"


# -- `concord manifest` -------------------------------------------------------------------------

def test_concord_manifest_writes_a_valid_manifest_for_the_url(tmp_path, schema, capsys):
    out = tmp_path / "concord-manifest.xml"
    assert manifest_command.main(argparse.Namespace(url=PUBLIC, output=str(out))) == 0
    xml = out.read_text(encoding="utf-8")
    assert schema_errors(schema, xml) == [] and manifest_problems(xml) == []
    assert f"{PUBLIC}/addin/taskpane.html" in xml
    assert "Wrote" in capsys.readouterr().err


def test_concord_manifest_refuses_plain_http(tmp_path, capsys):
    out = tmp_path / "m.xml"
    assert manifest_command.main(argparse.Namespace(url="http://concord.example.org", output=str(out))) == 2
    assert not out.exists()
    assert "must start with https://" in capsys.readouterr().err


def test_concord_manifest_through_the_cli_prints_to_stdout(capsys):
    from addin.cli import main

    assert main(["manifest", "--url", PUBLIC]) == 0
    assert f'<SourceLocation DefaultValue="{PUBLIC}/addin/taskpane.html"/>' in capsys.readouterr().out


# -- served by the backend -----------------------------------------------------------------------

def get(client, path: str, **kw):
    """A response read to the end and closed (served files stay open until then)."""
    response = client.get(path, **kw)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def client(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                      "PUBLIC_URL": PUBLIC})
    return app.test_client()


def test_backend_serves_the_manifest_for_its_public_url(client, schema):
    response = get(client, "/addin/manifest.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert schema_errors(schema, xml) == [] and manifest_problems(xml) == []
    assert f"{PUBLIC}/addin/taskpane.html" in xml


def test_backend_manifest_without_public_url_uses_the_request_origin(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test"})
    xml = get(app.test_client(), "/addin/manifest.xml", base_url="https://word.mission.example:5443").get_data(as_text=True)
    assert 'DefaultValue="https://word.mission.example:5443/addin/taskpane.html"' in xml


def test_backend_with_an_http_public_url_says_which_setting_to_fix(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                      "PUBLIC_URL": "http://concord.example.org"})
    response = get(app.test_client(), "/addin/manifest.xml")
    assert response.status_code == 500
    assert "CONCORD_PUBLIC_URL" in response.get_data(as_text=True)


def test_every_url_in_the_manifest_is_served_by_the_backend(client):
    root = etree.fromstring(get(client, "/addin/manifest.xml").data)
    for found in manifest_urls(root):
        path = found.url[len(PUBLIC):] or "/"
        if found.where == "AppDomain":
            continue
        response = get(client, path)
        assert response.status_code == 200, f"{found.where} {found.url} -> {response.status_code}"


def test_icons_are_served_cacheable_and_unknown_sizes_are_not(client):
    response = get(client, "/addin/icons/icon-80.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == (ICON_DIR / "icon-80.png").read_bytes()
    cache = response.headers.get("Cache-Control", "")
    # Office refuses ribbon icons sent with no-cache or no-store.
    assert "no-cache" not in cache and "no-store" not in cache and "max-age=86400" in cache
    assert get(client, "/addin/icons/icon-81.png").status_code == 404


def test_task_pane_loads_office_js_from_the_official_cdn(client):
    response = get(client, "/addin/taskpane.html")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' https://appsforoffice.microsoft.com" in policy
    # Word on the web frames the pane: nothing may forbid framing.
    assert "frame-ancestors" not in policy and "X-Frame-Options" not in response.headers


def test_only_the_pane_files_are_served(client):
    assert get(client, "/addin/make_icons.py").status_code == 404
    assert get(client, "/addin/../manifest.py").status_code == 404
    assert get(client, "/addin/taskpane.js").status_code == 200


# -- where the template lives -------------------------------------------------------------------

def test_the_committed_manifest_is_the_one_built_for_localhost():
    """manifest/concord.xml is generated from the template (``concord manifest --url
    https://localhost:5443 -o manifest/concord.xml``); a template edit must regenerate it."""
    committed = (ROOT / "manifest" / "concord.xml").read_text(encoding="utf-8")
    assert committed == build_manifest("https://localhost:5443"), \
        "manifest/concord.xml is stale: run `concord manifest --url https://localhost:5443 -o manifest/concord.xml`"


def test_an_installed_backend_serves_the_manifest_without_the_source_tree(tmp_path):
    """A non-editable install has only the addin package: its .py files and the package data
    pyproject.toml lists. Copied that way, away from the checkout, /addin/manifest.xml still works."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["addin"]
    source, installed = ROOT / "addin", tmp_path / "site" / "addin"
    files = {p for p in source.rglob("*.py") if "__pycache__" not in p.parts}
    files |= {p for pattern in patterns for p in source.glob(pattern) if p.is_file()}
    for path in files:
        target = installed / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    script = ("import addin.manifest as m, sys; assert str(m.TEMPLATE).startswith(sys.argv[1]), m.TEMPLATE; "
              "from addin import create_app; "
              "app = create_app({'INSTANCE_PATH': sys.argv[2], 'TESTING': True, 'PUBLIC_URL': 'https://concord.example.org'}); "
              "r = app.test_client().get('/addin/manifest.xml'); print(r.status_code); sys.stdout.write(r.get_data(as_text=True))")
    done = subprocess.run([sys.executable, "-c", script, str(installed), str(tmp_path / "instance")],
                          cwd=tmp_path, env={"PYTHONPATH": str(installed.parent), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    status, _, xml = done.stdout.partition("\n")
    assert status == "200", xml
    assert xml == build_manifest("https://concord.example.org")
