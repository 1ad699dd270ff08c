"""`concord merge` as a user runs it: a subprocess on real LibreOffice files, writing --json."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lodoc import make_many

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = "delegation,aliases,emails\nEgypt,Ahmed Hassan,@mfa.gov.eg\nSingapore,Tan Wei Ling,\nIran,,\n"
PARAGRAPHS = [
    "PP1. Concerned about trafficking in drugs,",
    "PP2. Recognizing the misuse of payment systems,",
    {"text": "Urges Member States to cooperate;", "list_level": 0},
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("merge")
    base = d / "base.docx"
    spec = lambda author, edits: {"base": str(base), "author": author, "track": True,
                                  "date": "2027-02-10T09:30:00Z", "edits": edits}
    make_many([
        ({"paragraphs": PARAGRAPHS}, base),
        (spec("Ahmed Hassan", [{"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "}]), d / "eg.docx"),
        (spec("Tan Wei Ling", [{"op": "insert", "para": 0, "before": "trafficking", "text": "illicit "},
                               {"op": "comment", "para": 1, "find": "misuse", "text": "Retain"}]), d / "sg.docx"),
        (spec("Author", [{"op": "replace", "para": 1, "find": "misuse", "text": "misuse and abuse"}]), d / "L5 ICT (2).docx"),
    ])
    (d / "delegations.csv").write_text(REGISTRY, encoding="utf-8")
    return d


def _merge(*args, cwd):
    return subprocess.run([sys.executable, "-m", "addin.cli", "merge", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_merge_writes_the_report(files):
    done = _merge("base.docx", "eg.docx", "sg.docx", "Iran=L5 ICT (2).docx", "--delegations", "delegations.csv",
                  "--json", "report.json", cwd=files)
    assert done.returncode == 0, done.stderr
    report = json.loads((files / "report.json").read_text(encoding="utf-8"))
    assert report["base"] == {"file": "base.docx"}
    assert [(s["file"], s["delegation"], s["tracked"], s["proposals"]) for s in report["submissions"]] == [
        ("eg.docx", None, True, 1), ("sg.docx", None, True, 1), ("L5 ICT (2).docx", "Iran", True, 1)]
    assert report["submissions"][2]["warnings"] == [
        "author 'Author' is not in the delegation registry — attributed to the sender, Iran"]
    first, second = report["paragraphs"][0], report["paragraphs"][1]
    assert first["base_text"] == "PP1. Concerned about trafficking in drugs,"
    assert [(p["kind"], p["inserted"], p["delegations"]) for p in first["proposals"]] == [
        ("insert", " illicit", ["Egypt", "Singapore"])]
    sources = first["proposals"][0]["sources"]
    assert [s["file"] for s in sources] == ["eg.docx", "sg.docx"] and all(s["revision"] for s in sources)
    assert set(first["proposals"][0]) >= {"kind", "inserted", "deleted", "at", "context_before", "delegations",
                                          "tracked", "group", "sources"}
    assert [(p["kind"], p["deleted"], p["inserted"], p["delegations"]) for p in second["proposals"]] == [
        ("replace", "misuse", "misuse and abuse", ["Iran"])]
    assert [(s["stance"], s["anchor"], s["delegations"]) for s in second["stances"]] == [
        ("retain", "misuse", ["Singapore"])]
    assert "3 submissions" in done.stdout


def test_unreadable_submission_is_named(files):
    (files / "notes.docx").write_text("not a word file", encoding="utf-8")
    done = _merge("base.docx", "eg.docx", "notes.docx", cwd=files)
    assert done.returncode == 2
    assert "notes.docx" in done.stderr and "Traceback" not in done.stderr


def test_missing_registry_is_named(files):
    done = _merge("base.docx", "eg.docx", "--delegations", "nowhere.csv", cwd=files)
    assert done.returncode == 2
    assert "nowhere.csv: cannot read the delegation registry" in done.stderr


def test_mailed_submission_is_attributed_to_its_sender(files):
    """A delegate's author name is "Author" (scrubbed); the message came from the Iranian
    mission's domain, so the registry's @domain names the delegation."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Desk Officer <desk@mfa.gov.ir>"
    message["To"] = "cnd.secretariat@un.org"
    message["Subject"] = "L.5 comments"
    message["Date"] = "Fri, 12 Feb 2027 10:30:00 +0000"
    message.set_content("Please find attached our proposals.")
    message.add_attachment((files / "L5 ICT (2).docx").read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename="L5 ICT (2).docx")
    (files / "iran.eml").write_bytes(bytes(message))
    (files / "mail.csv").write_text(REGISTRY.replace("Iran,,", "Iran,,@mfa.gov.ir"), encoding="utf-8")
    done = _merge("base.docx", "iran.eml", "--delegations", "mail.csv", "--json", "mail.json", cwd=files)
    assert done.returncode == 0, done.stderr
    report = json.loads((files / "mail.json").read_text(encoding="utf-8"))
    assert [(s["file"], s["delegation"]) for s in report["submissions"]] == [("L5 ICT (2).docx", "Iran")]
    assert [(p["kind"], p["delegations"]) for p in report["paragraphs"][1]["proposals"]] == [("replace", ["Iran"])]


def test_a_message_without_a_word_document_is_named_with_its_reading(files):
    """A mission mails its markup as a legacy .doc: the merge says so instead of silently
    merging nothing from that message, and the other submissions are merged as usual."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Desk Officer <desk@mfa.gov.ir>"
    message["Subject"] = "L.5 comments"
    message.set_content("Please find attached our proposals.")
    message.add_attachment(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), maintype="application",
                           subtype="msword", filename="L5 Iran.doc")
    (files / "iran-doc.eml").write_bytes(bytes(message))
    done = _merge("base.docx", "eg.docx", "iran-doc.eml", "--json", "-", cwd=files)
    assert done.returncode == 0, done.stderr
    assert "iran-doc.eml: legacy .doc: please send .docx — not merged" in done.stderr
    report = json.loads(done.stdout)  # stdout stays the JSON report
    assert [s["file"] for s in report["submissions"]] == ["eg.docx"]


def test_merging_mailboxes_and_files_leaves_no_file_open(files):
    """Under -X dev -W error an unclosed file would print a ResourceWarning: mbox detection on a
    file without extension, a maildir and a .docx are all read and closed."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Desk Officer <desk@mfa.gov.eg>"
    message["Subject"] = "L.5"
    message.set_content("see attached")
    message.add_attachment((files / "eg.docx").read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="eg.docx")
    (files / "egypt-box").write_bytes(b"From desk@mfa.gov.eg Fri Feb 12 10:30:00 2027\n" + bytes(message) + b"\n")
    maildir = files / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / "1.eml").write_bytes(bytes(message))
    done = subprocess.run([sys.executable, "-X", "dev", "-W", "error", "-m", "addin.cli", "merge", "base.docx",
                           "sg.docx", "egypt-box", "maildir", "--delegations", "delegations.csv"],
                          capture_output=True, text=True, cwd=files, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "3 submissions" in done.stdout


def test_a_body_s_own_stance_words_come_from_a_vocabulary_file(files, tmp_path):
    # Singapore's comment "Retain" is a default stance; this body also says "Reflect" and wants
    # "retain" written as "keep". Without the file "Reflect" would be free text.
    marked = files / "reflect.docx"
    make_many([({"base": str(files / "base.docx"), "author": "Tan Wei Ling", "track": True,
                 "date": "2027-02-10T09:30:00Z",
                 "edits": [{"op": "comment", "para": 0, "find": "trafficking", "text": "please reflect"}]}, marked)])
    (files / "stances.csv").write_text("stance,phrases\nreflect,reflect;please reflect\n", encoding="utf-8")

    def stances(*extra):
        done = _merge("base.docx", "reflect.docx", "--delegations", "delegations.csv", "--json", "-", *extra, cwd=files)
        assert done.returncode == 0, done.stderr
        return [(s["stance"], s["delegations"]) for p in json.loads(done.stdout)["paragraphs"] for s in p["stances"]]

    assert stances("--stances", "stances.csv") == [("reflect", ["Singapore"])]
    assert stances() == [("please reflect", ["Singapore"])]


def test_a_vocabulary_file_without_its_header_is_refused_naming_the_file(files):
    (files / "words.csv").write_text("reflect;please reflect\n", encoding="utf-8")
    done = _merge("base.docx", "eg.docx", "--stances", "words.csv", cwd=files)
    assert done.returncode == 2
    assert "words.csv: the stance vocabulary needs the header 'stance,phrases'" in done.stderr
