"""Reading submission messages: every real message of the corpus, and every case a delegation sends.

The .eml fixtures are built here with the stdlib email package (as a mail client would send
them); the .msg ones are real Outlook files from the shared corpus.
"""
from __future__ import annotations

import base64
import csv
import io
import mailbox
import re
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest

from addin.mail import messages as mail
from addin.mail.messages import (
    LEGACY_DOC,
    NO_DOCUMENT,
    PDF_ONLY,
    SEVERAL_DOCUMENTS,
    MessageError,
    documents_from_path,
    read_mailbox,
    read_message,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------
# Building messages the way mail clients do


def make_docx(text: str) -> bytes:
    """A real .docx: a sample submission when the samples exist, else one made with python-docx
    holding ``text`` (so each is distinct)."""
    document = docx.Document()
    document.add_paragraph("PP1. Recognizing that the pandemic triggered greater misuse")
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def submission_email(
    sender: str = "Mission of Mexico <mission@mexico.example>",
    subject: str = "L.5 markup",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    message_id: str | None = None,
    body: str = "Please find attached our proposals.",
) -> EmailMessage:
    """An .eml as a mail client writes it: text body and attachments (name, bytes, MIME type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "secretariat@unodc.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2022, 3, 10, 9, 30, tzinfo=timezone.utc))
    message["Message-ID"] = message_id or make_msgid(domain="mexico.example")
    message.set_content(body)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def read(message: EmailMessage, name: str = "submission.eml"):
    return read_message(message.as_bytes(), name)


# ------------------------------------------------------------------------------------------
# The real corpus: every message parses, and agrees with the manifest


def _manifest(mail_corpus: Path) -> list[dict[str, str]]:
    with open(mail_corpus / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _expected_names(row: dict[str, str]) -> list[tuple[str, bool]]:
    """The file attachments the manifest lists, as (name, inside a forwarded message); forwarded
    messages themselves and nameless parts are left out, a winmail.dat stands for its files."""
    expected = []
    for item in [a for a in re.split(r"; (?![^()]*\))", row["attachments"]) if a]:
        name, _, ctype = item.rpartition("|")
        inner = name.startswith("inner:")
        name = re.sub(r"^(inner:|msg\d+:)", "", name)
        if ctype in ("message/rfc822", "embedded .msg (attach method 5)") or name == "(no filename)":
            continue
        if name == "winmail.dat" and row["tnef_contents"] and "parse failed" not in row["tnef_contents"]:
            inside = re.search(r"\[(.*)\]", row["tnef_contents"]).group(1)
            expected += [(n.strip("'"), inner) for n in inside.split(", ") if n]
            continue
        expected.append((name, inner))
    return expected


# What our reading improves on the manifest's (policy.default) names, asserted exactly.
KNOWN_NAMES = {
    # A newline in a name becomes a space, so the name is one line in every listing and receipt.
    "php-mime-mail-parser__newline-in-filename.eml": [("Kontoutskrift for 1506.14.90466 Bedriftskonto.pdf", False)],
    # "1234/../../1234.txt" must never reach a file system as a path.
    "php-mime-mail-parser__path-traversal-filename.eml": [("1234.txt", False)],
    # Gmail's unquoted encoded-word is decoded rather than lost.
    "mail-gem__gmail-encoded-word-unquoted-filename-pdf.eml": [("This is a test.pdf", False)],
}


def _read_corpus_file(path: Path) -> list:
    if path.suffix == ".mbox":
        return list(read_mailbox(path))
    return [read_message(path.read_bytes(), path.name)]


def test_every_corpus_message_parses_and_its_attachments_agree_with_the_manifest(mail_corpus):
    rows = _manifest(mail_corpus)
    assert len(rows) == 75
    for row in rows:
        messages = _read_corpus_file(mail_corpus / row["file"])
        files = [a for m in messages for a in (*m.documents, *m.attachments)]
        named = [(a.name, a.inner) for a in files if not a.name.startswith("attachment-")]
        expected = KNOWN_NAMES.get(row["file"], _expected_names(row))
        assert sorted(named) == sorted(expected), row["file"]
        for attachment in files:
            assert "/" not in attachment.name and "\n" not in attachment.name, row["file"]
        if row["forwarded_inside"] == "yes":
            assert any(m.forwarded for m in messages), row["file"]


def test_corpus_senders_are_the_smtp_addresses_the_manifest_names(mail_corpus):
    for row in _manifest(mail_corpus):
        messages = _read_corpus_file(mail_corpus / row["file"])
        addresses = {s.address.lower() for m in messages for s in m.senders}
        assert all("@" in a and not a.startswith("/o=") for a in addresses), row["file"]
        smtp = re.search(r"\[SMTP ([^\]]+)\]", row["from"]) or re.search(r"<([^<>@\s]+@[^<>\s]+)>", row["from"]) \
            or re.fullmatch(r"\s*([^\s<>\[\]]+@[^\s<>\[\]]+)\s*", row["from"])
        if smtp and "no SMTP address" not in row["from"]:
            assert smtp.group(1).lower() in addresses, row["file"]


def test_corpus_message_ids_dates_and_subjects_are_read(mail_corpus):
    message = read_message((mail_corpus / "msgreader__outlook-accented-subject.msg").read_bytes(), "a.msg")
    assert message.subject.startswith("Un sujet bien défini Àéroport mañana")
    assert message.message_id == "<CY5PR02MB8965DFCBCFAFD12DCFEB7465F6342@CY5PR02MB8965.namprd02.prod.outlook.com>"
    assert message.date == datetime(2024, 3, 27, 9, 14, 48, tzinfo=timezone.utc)
    emoji = read_message((mail_corpus / "mail-gem__pdf-attachment-emoji-subject.eml").read_bytes(), "e.eml")
    assert "🎉" in emoji.subject
    new_outlook = read_message((mail_corpus / "hiraoka-msgreader__new-outlook-test-message.msg").read_bytes(), "n.msg")
    assert "\x00" not in new_outlook.subject and new_outlook.sender == "ku@digitaldolphins.jp"


# ------------------------------------------------------------------------------------------
# The real Outlook .msg cases, with their readings


def test_msg_with_four_docx_keeps_each_in_order_with_a_reading(mail_corpus):
    data = (mail_corpus / "hiraoka-msgreader__outlook-four-docx-attachments.msg").read_bytes()
    message = read_message(data, "four.msg")
    assert message.format == "msg"
    assert [d.name for d in message.documents] == ["A.docx", "B.docx", "C.docx", "D.docx"]
    assert all(d.data.startswith(b"PK") for d in message.documents)
    assert message.reading == SEVERAL_DOCUMENTS


def test_msg_with_docx_and_xlsx_is_one_submission_from_its_sender(mail_corpus):
    data = (mail_corpus / "msgreader__outlook-docx-and-xlsx-attachments.msg").read_bytes()
    message = read_message(data, "two.msg")
    assert [d.name for d in message.documents] == ["Installatie handleiding.docx"]
    assert [a.name for a in message.attachments] == ["Installatiehandleiding S&I Agro.xlsx"]
    assert message.reading is None
    assert message.sender == "kees.van.spelde@achmea.nl"
    assert message.message_id.endswith("PROD.OUTLOOK.COM>")


def test_msg_with_legacy_doc_asks_for_docx(mail_corpus):
    data = (mail_corpus / "poi__outlook-doc-and-txt-attachments-french.msg").read_bytes()
    message = read_message(data, "french.msg")
    assert message.documents == ()
    assert {a.name for a in message.attachments} == {"test-unicode.doc", "pj1.txt"}
    assert message.reading == LEGACY_DOC
    assert message.sender == "nicolas1.23456@free.fr"
    assert message.subject == "test pièce jointe 1"


def test_bare_winmail_dat_gives_its_files(mail_corpus):
    message = read_message((mail_corpus / "poi__raw-tnef-winmail-with-doc-pdf.dat").read_bytes(), "winmail.dat")
    assert message.format == "tnef"
    assert "quick.pdf" in [a.name for a in message.attachments]
    assert message.reading == LEGACY_DOC


# ------------------------------------------------------------------------------------------
# .eml fixtures of every case


def test_one_docx_attached_is_one_submission():
    markup = make_docx("OP1 Mexico markup")
    message = read(submission_email(attachments=(("L5 ICT draft (2).docx", markup, DOCX),), message_id="<m1@mexico.example>"))
    assert [(d.name, d.data) for d in message.documents] == [("L5 ICT draft (2).docx", markup)]
    assert message.reading is None
    assert message.sender == "mission@mexico.example"
    assert message.senders[0].name == "Mission of Mexico"
    assert message.message_id == "<m1@mexico.example>"
    assert message.identity == "<m1@mexico.example>"
    assert message.subject == "L.5 markup"
    assert message.date == datetime(2022, 3, 10, 9, 30, tzinfo=timezone.utc)


def test_forwarded_original_gives_the_document_and_its_sender_first():
    markup = make_docx("Turkey markup")
    original = submission_email(
        sender="Turkey Mission <delegate@turkey.example>", subject="Turkey proposals L.5",
        attachments=(("Turkey L5.docx", markup, DOCX),),
    )
    outer = submission_email(sender="Officer <officer@unodc.example>", subject="Fwd: Turkey proposals L.5")
    outer.add_attachment(original)  # forwarded as attachment (message/rfc822)
    outer.replace_header("Reply-To", "Desk <desk@unodc.example>") if "Reply-To" in outer else outer.add_header(
        "Reply-To", "Desk <desk@unodc.example>")
    message = read(outer)
    assert [(d.name, d.data, d.inner) for d in message.documents] == [("Turkey L5.docx", markup, True)]
    assert [(s.role, s.address) for s in message.senders] == [
        ("forwarded from", "delegate@turkey.example"),
        ("from", "officer@unodc.example"),
        ("reply-to", "desk@unodc.example"),
    ]
    assert message.forwarded == ("Turkey proposals L.5",)
    assert message.reading is None


def test_own_document_wins_over_a_forwarded_one_and_outer_sender_comes_first():
    original = submission_email(sender="a@egypt.example", attachments=(("old.docx", make_docx("old"), DOCX),))
    outer = submission_email(sender="b@egypt.example", attachments=(("new.docx", make_docx("new"), DOCX),))
    outer.add_attachment(original)
    message = read(outer)
    assert [d.name for d in message.documents] == ["new.docx"]
    assert [s.address for s in message.senders] == ["b@egypt.example", "a@egypt.example"]
    assert "old.docx" in [a.name for a in message.attachments]


def test_sender_header_is_tried_after_from():
    email_message = submission_email(sender="Personal <delegate@gmail.example>", attachments=(("x.docx", make_docx("x"), DOCX),))
    email_message["Sender"] = "mission@iran.example"
    message = read(email_message)
    assert [s.address for s in message.senders] == ["delegate@gmail.example", "mission@iran.example"]


def test_several_docx_are_each_kept_with_a_reading():
    first, second = make_docx("one"), make_docx("two")
    message = read(submission_email(attachments=(("a.docx", first, DOCX), ("b.docx", second, DOCX))))
    assert [d.data for d in message.documents] == [first, second]
    assert message.reading == SEVERAL_DOCUMENTS


def test_no_attachment_is_kept_with_a_reading():
    message = read(submission_email(body="We support OP3 as drafted."))
    assert message.documents == ()
    assert message.reading == NO_DOCUMENT == "no Word document attached"


def test_zip_of_documents_is_opened_safely():
    first, second = make_docx("zip one"), make_docx("zip two")
    archive = zip_of({"markup/Egypt L5.docx": first, "../../evil.docx": second, "readme.txt": b"hi",
                      "__MACOSX/._Egypt L5.docx": b"junk"})
    message = read(submission_email(attachments=(("proposals.zip", archive, "application/zip"),)))
    assert [(d.name, d.data, d.container) for d in message.documents] == [
        ("Egypt L5.docx", first, "proposals.zip"), ("evil.docx", second, "proposals.zip"),
    ]
    assert message.reading == SEVERAL_DOCUMENTS
    assert any("proposals.zip" in note for note in message.notes)


def test_zip_without_documents_or_broken_says_no_document():
    empty = read(submission_email(attachments=(("photos.zip", zip_of({"a.txt": b"x"}), "application/zip"),)))
    assert empty.reading == NO_DOCUMENT
    broken = read(submission_email(attachments=(("broken.zip", b"PK\x03\x04garbage", "application/zip"),)))
    assert broken.reading == NO_DOCUMENT
    assert any("broken.zip could not be opened" in note for note in broken.notes)


def test_zip_bomb_member_is_not_read(monkeypatch):
    from addin.mail import zips

    monkeypatch.setattr(zips, "ZIP_MAX_MEMBER_SIZE", 1000)  # the limit lives with the zip opening
    archive = zip_of({"big.docx": b"0" * 5000})  # compresses to a few bytes, unpacks past the limit
    message = read(submission_email(attachments=(("bomb.zip", archive, "application/zip"),)))
    assert message.documents == ()
    assert any("too large" in note for note in message.notes)


def test_legacy_doc_only_asks_for_docx():
    message = read(submission_email(attachments=(("Draft L5.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "application/msword"),)))
    assert message.reading == LEGACY_DOC == "legacy .doc: please send .docx"


def test_pdf_only_asks_for_the_word_file():
    message = read(submission_email(attachments=(("L5.pdf", b"%PDF-1.4\n%%EOF", "application/pdf"),)))
    assert message.reading == PDF_ONLY == "PDF only: please send the Word file"


def test_odd_filenames_are_decoded_and_sanitised():
    markup = make_docx("odd")
    cases = {
        "Proposition de la France – révisée.docx": "Proposition de la France – révisée.docx",
        "../../etc/cron.d/L5.docx": "L5.docx",
        "C:\\Users\\delegate\\Desktop\\L5 final.docx": "L5 final.docx",
        "..hidden.docx": "hidden.docx",
        "日本語の提案" + "あ" * 300 + ".docx": None,  # shortened, extension kept
    }
    for sent, expected in cases.items():
        message = read(submission_email(attachments=((sent, markup, DOCX),)))
        [document] = message.documents
        if expected is None:
            assert document.name.endswith(".docx") and len(document.name) <= mail.NAME_MAX_CHARS
        else:
            assert document.name == expected, sent
        assert document.data == markup


def test_a_newline_smuggled_in_an_encoded_filename_becomes_a_space():
    sent = "L5\r\nBcc: victim@example.com.docx"
    raw = submission_email(attachments=(("PLACEHOLDER.docx", make_docx("nl"), DOCX),)).as_bytes()
    encoded = "=?UTF-8?b?" + base64.b64encode(sent.encode()).decode() + "?="
    message = read_message(raw.replace(b"PLACEHOLDER.docx", encoded.encode()), "nl.eml")
    assert [d.name for d in message.documents] == ["L5 Bcc_ victim@example.com.docx"]


def test_nameless_docx_is_found_by_type_and_by_content():
    markup = make_docx("nameless")
    by_type = submission_email()
    by_type.add_attachment(markup, maintype="application", subtype=DOCX.split("/")[1])
    assert [d.name for d in read(by_type).documents] == ["attachment-1.docx"]
    by_content = submission_email(attachments=(("attach01", markup, "application/octet-stream"),))
    assert [d.data for d in read(by_content).documents] == [markup]


def test_latin1_quoted_printable_and_nested_multipart_are_read():
    markup = make_docx("latin")
    message = submission_email(subject="Propuesta de México — párrafo 3", sender="Délégation <d@mexico.example>",
                               body="Estimados colegas, adjunto nuestra propuesta. Señor Presidente")
    message.add_alternative("<p>Estimados colegas, <b>adjunto</b></p>", subtype="html")
    message.add_attachment(markup, maintype="application", subtype=DOCX.split("/")[1], filename="México L5.docx")
    raw = message.as_bytes()
    parsed = read_message(raw, "mx.eml")
    assert parsed.subject == "Propuesta de México — párrafo 3"
    assert [d.name for d in parsed.documents] == ["México L5.docx"]
    assert parsed.senders[0].name == "Délégation"


def _self_signed():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.EMAIL_ADDRESS, "mission@mexico.example")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now.replace(year=now.year + 1))
            .sign(key, hashes.SHA256()))
    return cert, key


def _smime(detached: bool) -> bytes:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    cert, key = _self_signed()
    inner = EmailMessage()
    inner.set_content("Signed proposals attached.")
    inner.add_attachment(make_docx("signed"), maintype="application", subtype=DOCX.split("/")[1], filename="Signed L5.docx")
    options = [pkcs7.PKCS7Options.DetachedSignature] if detached else []
    signed = (pkcs7.PKCS7SignatureBuilder().set_data(inner.as_bytes()).add_signer(cert, key, hashes.SHA256())
              .sign(serialization.Encoding.SMIME, options))
    headers = (b"From: Mission <mission@mexico.example>\r\nTo: s@unodc.example\r\nSubject: signed\r\n"
               b"Message-ID: <signed@mexico.example>\r\n")
    return headers + signed


@pytest.mark.parametrize("detached", [True, False], ids=["multipart-signed", "opaque-signed"])
def test_smime_signed_mail_gives_the_signed_attachments(detached):
    message = read_message(_smime(detached), "signed.eml")
    assert [d.name for d in message.documents] == ["Signed L5.docx"]
    assert message.reading is None


def test_encrypted_mail_asks_for_plain_mail():
    message = EmailMessage()
    message["From"] = "m@x.example"
    message["Subject"] = "secret"
    message.set_content(b"\x30\x80garbage", maintype="application", subtype="pkcs7-mime",
                        params={"smime-type": "enveloped-data"}, filename="smime.p7m")
    assert read(message).reading == mail.ENCRYPTED


def test_same_message_has_the_same_identity_and_one_without_id_uses_sha256():
    email_message = submission_email(attachments=(("a.docx", make_docx("a"), DOCX),), message_id="<same@x.example>")
    first, second = read(email_message), read(email_message, "again.eml")
    assert first.identity == second.identity == "<same@x.example>"
    del email_message["Message-ID"]
    anonymous = read(email_message)
    assert anonymous.message_id is None
    assert anonymous.identity == f"sha256:{anonymous.sha256}" and len(anonymous.sha256) == 64


@pytest.mark.parametrize("data, problem", [
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 40, "not a readable Outlook message"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "not a mail message"),
    (zip_of({"word/document.xml": b"<w/>"}), "not a mail message"),
])
def test_bad_input_gives_an_error_naming_the_file(data, problem):
    with pytest.raises(MessageError) as error:
        read_message(data, "from-delegate.eml")
    assert error.value.file == "from-delegate.eml"
    assert problem in error.value.problem


# ------------------------------------------------------------------------------------------
# mbox, maildir and `concord merge` inputs


def test_mbox_and_maildir_give_each_message_in_order(tmp_path):
    docs = [make_docx(f"doc {n}") for n in range(3)]
    emails = [submission_email(sender=f"d{n}@state{n}.example", attachments=((f"s{n}.docx", docs[n], DOCX),))
              for n in range(3)]
    box = mailbox.mbox(str(tmp_path / "round1.mbox"))
    folder = mailbox.Maildir(str(tmp_path / "round1"), create=True)
    for message in emails:
        box.add(message.as_bytes())
        folder.add(message.as_bytes())
    box.close()
    for path in (tmp_path / "round1.mbox", tmp_path / "round1"):
        read_back = list(read_mailbox(path))
        assert [m.documents[0].data for m in read_back] == docs
        assert [m.sender for m in read_back] == ["d0@state0.example", "d1@state1.example", "d2@state2.example"]
        assert documents_from_path(path) == [(f"s{n}.docx", docs[n], f"d{n}@state{n}.example") for n in range(3)]


def test_documents_from_path_reads_eml_and_msg_files(tmp_path, mail_corpus):
    markup = make_docx("cli")
    eml = tmp_path / "Mexico.eml"
    eml.write_bytes(submission_email(attachments=(("Mexico L5.docx", markup, DOCX),)).as_bytes())
    assert documents_from_path(eml) == [("Mexico L5.docx", markup, "mission@mexico.example")]
    found = documents_from_path(mail_corpus / "hiraoka-msgreader__outlook-four-docx-attachments.msg")
    assert [name for name, _, _ in found] == ["A.docx", "B.docx", "C.docx", "D.docx"]
    assert mail.is_message_path(eml) and not mail.is_message_path(tmp_path / "x.docx")


def test_documents_from_path_picks_the_sender_the_registry_knows(tmp_path):
    class Registry:  # the registry's interface: address -> delegation name or None
        def delegation_for_email(self, address: str) -> str | None:
            return "Iran" if address.endswith("@iran.example") else None

    email_message = submission_email(sender="x@gmail.example", attachments=(("i.docx", make_docx("i"), DOCX),))
    email_message["Reply-To"] = "mission@iran.example"
    path = tmp_path / "iran.eml"
    path.write_bytes(email_message.as_bytes())
    assert documents_from_path(path)[0][2] == "x@gmail.example"
    assert documents_from_path(path, Registry())[0][2] == "mission@iran.example"
    assert mail.delegation_for(read_message(path.read_bytes(), "iran.eml"), Registry()) == "Iran"


def test_not_a_mailbox_is_an_error_naming_it(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(MessageError, match="notes.txt"):
        list(read_mailbox(tmp_path / "notes.txt"))
    with pytest.raises(MessageError, match="not a maildir"):
        list(read_mailbox(tmp_path))


def test_the_same_file_attached_and_zipped_is_one_submission():
    markup = make_docx("once")
    message = read(submission_email(attachments=(
        ("Egypt.docx", markup, DOCX), ("Egypt.zip", zip_of({"Egypt copy.docx": markup}), "application/zip"),
    )))
    assert [d.name for d in message.documents] == ["Egypt.docx"]
    assert message.reading is None
    assert any("Egypt copy.docx is the same file as Egypt.docx" in note for note in message.notes)


def test_outlook_msg_forwarded_from_webmail_gives_its_document_and_sender(mail_corpus):
    original = (mail_corpus / "msgreader__outlook-docx-and-xlsx-attachments.msg").read_bytes()
    outer = submission_email(sender="Officer <officer@unodc.example>", subject="Fwd: markup")
    outer.add_attachment(original, maintype="application", subtype="vnd.ms-outlook", filename="E-mail with 2 attachments.msg")
    message = read(outer)
    assert [(d.name, d.inner) for d in message.documents] == [("Installatie handleiding.docx", True)]
    assert [s.address for s in message.senders] == ["kees.van.spelde@achmea.nl", "officer@unodc.example"]
    assert message.forwarded == ("E-mail with 2 attachments",)
