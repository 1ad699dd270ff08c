"""Messages through intake (the page, the API and the poller all call ``addin.intake.receive``):
stored once, each Word document a submission, attributed through the registry, readings kept."""
from __future__ import annotations

import json

import pytest

from addin.intake import receive
from addin.mail.messages import LEGACY_DOC, NO_DOCUMENT, SEVERAL_DOCUMENTS
from addin.store import Store

from test_mail_mailbox import DOCX, base_draft, message, submission


@pytest.fixture
def store(tmp_path):
    found = Store(f"sqlite:///{tmp_path / 'concord.sqlite3'}")
    negotiation = found.create_negotiation("ICT and drug trafficking")
    found.add_round(negotiation, "base.docx", base_draft())
    found.upsert_delegation(negotiation, "Egypt", "", "@egypt.example")
    found.upsert_delegation(negotiation, "Singapore", "", "mission@singapore.example")
    yield found
    found.close()


def _round(store: Store) -> int:
    return store.current_round(store.negotiations()[0].id).id


def test_message_with_two_documents_is_two_submissions_stored_once(store):
    egypt, singapore = submission("L5 ICT draft EGY.docx", "e"), submission("CND L5 - Singapore.docx", "s")
    data = message("Egypt <delegate@egypt.example>", "Two files", [(*egypt, DOCX), (*singapore, DOCX)])
    first = receive(store, _round(store), data, "Two files.eml", "upload")
    receive(store, _round(store), data, "Two files.eml", "upload")  # dropped on the page twice
    rows = store.submissions(_round(store))
    assert [(r.filename, r.message_id) for r in rows] == [
        ("Two files.eml", first.message_id), ("CND L5 - Singapore.docx", f"{first.message_id}#2"),
    ]
    assert first.content == data and first.docx == egypt[1]
    assert store.submission(rows[1].id).docx == singapore[1]
    egypt_id = store.delegation_by_name(store.negotiations()[0].id, "Egypt").id
    assert {r.delegation_id for r in rows} == {egypt_id}
    assert SEVERAL_DOCUMENTS in json.loads(first.reading_json)["warnings"]


def test_personal_address_is_attributed_through_reply_to(store):
    data = message("Tan <tan@gmail.example>", "SG", [(*submission("CND L5 - Singapore.docx", "s"), DOCX)],
                   reply_to="mission@singapore.example")
    row = receive(store, _round(store), data, "SG.eml", "upload")
    assert row.sender == "mission@singapore.example"
    assert store.delegation(row.delegation_id).name == "Singapore"
    assert json.loads(row.reading_json)["delegation"] == "Singapore"


def test_message_without_document_is_kept_with_its_reading(store, mail_corpus):
    row = receive(store, _round(store), message("x@egypt.example", "Hello", []), "Hello.eml", "upload")
    assert row.error == NO_DOCUMENT and row.docx is None and row.content
    legacy = (mail_corpus / "poi__outlook-doc-and-txt-attachments-french.msg").read_bytes()
    row = receive(store, _round(store), legacy, "french.msg", "upload")
    assert (row.kind, row.error) == ("msg", LEGACY_DOC)
    assert row.message_id.startswith("sha256:")  # no Message-ID: the bytes identify it
    assert receive(store, _round(store), legacy, "again.msg", "upload").id == row.id


def test_unreadable_message_is_stored_with_an_error(store):
    data = b"From: a@egypt.example\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
    row = receive(store, _round(store), data, "broken.eml", "upload")
    assert row.content == data and row.error == NO_DOCUMENT
