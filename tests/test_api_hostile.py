"""Bad and hostile uploads through the API: a clear JSON error with the right status, never a 500,
every file kept with its error, and the rest of the store untouched.

The hostile files are built by the package tests' builders (``tests.test_package``).
"""
from __future__ import annotations

import io
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from tests.conftest import require_program
from tests.api_fixtures import Round, texts
from tests.test_package import (
    BILLION_LAUGHS, DOCM_MAIN, _macro_entries, make_zip, replaced, word_bytes, word_entries,
)

MiB = 1024 * 1024


def encrypted_docx() -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(word_bytes())).encrypt("s3cret", out)
    return out.getvalue()


def xxe_docx() -> bytes:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
    return make_zip(replaced(word_entries(), "word/document.xml", xxe))


HOSTILE = {
    # name: (bytes, status, words the message must contain)
    "zip bomb": (lambda: make_zip(replaced(word_entries(), "word/document.xml", b"\0" * (64 * MiB))),
                 422, "zip bomb"),
    "billion laughs": (lambda: make_zip(replaced(word_entries(), "word/document.xml", BILLION_LAUGHS)),
                       422, "DTD"),
    "external entity": (xxe_docx, 422, "DTD"),
    "path traversal": (lambda: make_zip(word_entries() + [("../../etc/evil.xml", b"<x/>")]), 422, "../../etc/evil.xml"),
    "password protected": (encrypted_docx, 415, "password-protected file: please send it without a password"),
    "macro-enabled": (lambda: make_zip(_macro_entries(True, DOCM_MAIN)), 415, "macro"),
    "truncated": (lambda: word_bytes()[:700], 422, "truncated"),
    "pdf": (lambda: b"%PDF-1.7\n1 0 obj <<>> endobj\n", 415, "PDF"),
    "image": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(200), 415, "not a Word document"),
    "empty": (lambda: b"", 415, "empty"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_gets_a_clear_error_and_is_kept(rnd: Round, case: str):
    make, status, words = HOSTILE[case]
    data = make()
    good = rnd.submit("egypt.docx", rnd.as_("Egypt")).get_json()
    response = rnd.submit("Kenya.docx", rnd.as_("Singapore"), data=data)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["message"].startswith("Kenya.docx: ") and words in body["message"]
    assert "root:" not in body["message"]  # the external entity was never read
    kept = body["submission"]
    assert kept["delegation"] == "Singapore" and kept["error"] and kept["proposals"] == []
    stored = rnd.client.get(f"/api/submissions/{kept['id']}/file", headers=rnd.as_("Singapore"))
    assert stored.status_code == 200 and stored.data == data
    # Nothing else was disturbed: the good submission, its file, and a merge.
    assert rnd.client.get(f"/api/submissions/{good['id']}", headers=rnd.secretariat).get_json() == good
    assert rnd.merge()["state"] == "done"
    assert "illicit" in texts(rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated", headers=rnd.secretariat).data)


@pytest.mark.libreoffice
def test_a_legacy_doc_is_named_and_kept(rnd: Round, tmp_path: Path):
    soffice = require_program("soffice")
    source = tmp_path / "Iran.docx"
    source.write_bytes(word_bytes("OP1. Decides to remain seized of the matter."))
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=180)
    data = (tmp_path / "out" / "Iran.doc").read_bytes()
    response = rnd.submit("Iran.doc", rnd.secretariat, data=data)
    assert response.status_code == 415
    assert response.get_json()["message"] == "Iran.doc: legacy Word 97-2003 .doc: please save as .docx"
    assert response.get_json()["submission"]["kind"] == "ole"


def test_an_oversized_upload_is_413_and_nothing_is_stored(app, rnd: Round):
    app.config["MAX_CONTENT_LENGTH"] = 1 * MiB
    response = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", data=b"PK" + bytes(2 * MiB),
                               headers={**rnd.as_("Egypt"), "X-Filename": "big.docx"})
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"
    assert rnd.client.get(f"/api/rounds/{rnd.rid}/submissions", headers=rnd.secretariat).get_json() == []


def test_a_hostile_base_draft_does_not_create_a_round(rnd: Round):
    for data, status in ((HOSTILE["zip bomb"][0](), 422), (encrypted_docx(), 415)):
        response = rnd.client.post(f"/api/negotiations/{rnd.nid}/rounds", headers=rnd.secretariat,
                                   data={"file": (io.BytesIO(data), "base.docx")})
        assert response.status_code == status and response.get_json()["message"].startswith("base.docx: ")
    rounds = rnd.client.get(f"/api/negotiations/{rnd.nid}", headers=rnd.secretariat).get_json()["rounds"]
    assert [r["number"] for r in rounds] == [1]


def test_every_real_mail_message_is_recognised_kept_and_answered(rnd: Round, mail_corpus: Path):
    messages = sorted(p for p in mail_corpus.iterdir() if p.suffix.lower() in (".eml", ".msg"))
    assert messages
    for path in messages:
        data = path.read_bytes()
        # Raw bodies: the Flask test client leaves the temporary file of a large multipart body open.
        response = rnd.client.post(f"/api/rounds/{rnd.rid}/submissions", data=data, headers={
            **rnd.secretariat, "X-Filename": quote(path.name), "Content-Type": "application/octet-stream"})
        assert response.status_code in (200, 201, 415, 422), (path.name, response.get_json())
        body = response.get_json()
        submission = body.get("submission", body)
        assert submission["kind"] in ("eml", "msg"), path.name  # by content: some .msg are RFC 5322
        assert body.get("message", "").startswith(f"{path.name}: ") or response.status_code < 300
        if response.status_code != 200:  # 200: a copy of a message already stored (same Message-ID)
            stored = rnd.client.get(f"/api/submissions/{submission['id']}/file", headers=rnd.secretariat)
            assert stored.data == data, path.name
