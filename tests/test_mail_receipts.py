"""The receipt's words: what a delegate reads about their submission."""
from __future__ import annotations

from datetime import datetime, timezone

from addin.mail.receipts import ReceivedDocument, build_receipt, describe_proposal, describe_stance


def test_proposals_and_stances_are_described_in_words():
    assert describe_proposal({"kind": "insert", "inserted": "and abuse"}) == "insert “and abuse”"
    assert describe_proposal({"kind": "replace", "deleted": "Recognizing", "inserted": "Acknowledging"}) == \
        "replace “Recognizing” with “Acknowledging”"
    assert describe_proposal({"kind": "move", "moved_to": "OP12"}) == "move the paragraph after OP12"
    assert describe_proposal({"kind": "insert", "inserted": "x" * 500}).endswith("…”")
    assert describe_stance({"stance": "reservation", "anchor": "illicit"}) == "reservation (on “illicit”)"


def test_delegates_text_cannot_inject_html_and_missing_delegation_is_flagged():
    reading = {"tracked": False, "proposal_count": 1, "warnings": [], "stances": [], "paragraphs": [
        {"paragraph": "OP3", "new": False, "proposals": [{"kind": "insert", "inserted": "<script>alert(1)</script>"}],
         "stances": []}]}
    receipt = build_receipt(
        to="d@x.example", sender="submissions@unodc.example", subject="OP3 <b>markup</b>",
        received_at=datetime(2027, 3, 1, 10, 0, tzinfo=timezone.utc),
        documents=[ReceivedDocument("x.docx", None, reading)], in_reply_to="sha256:abc",
    )
    html = receipt.get_body(("html",)).get_content()
    text = receipt.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "x.docx — delegation not recognised: 1 proposal in 1 paragraph" in text
    assert "Track Changes was off" in text  # tracked is False and no reader warning said so
    assert "not in the delegation registry" in text
    assert receipt["In-Reply-To"] is None  # a sha256 identity is no Message-ID to reply to


def test_receipts_go_to_reply_to_and_never_answer_automatic_mail():
    from email.message import EmailMessage

    from addin.mail.delivery import reply_address
    from addin.mail.messages import read_message

    def reply_to(**headers: str) -> str | None:
        mail = EmailMessage()
        for name, value in headers.items():
            mail[name.replace("_", "-")] = value
        mail.set_content("x")
        data = mail.as_bytes()
        return reply_address(read_message(data, "m.eml"), data)

    assert reply_to(From="d@gmail.example", Reply_To="mission@iran.example") == "mission@iran.example"
    assert reply_to(From="Iran <d@iran.example>") == "d@iran.example"
    assert reply_to(From="d@iran.example", Auto_Submitted="auto-replied") is None  # an out-of-office
    assert reply_to(From="list@un.example", List_Id="<cnd.un.example>") is None
    assert reply_to(From="MAILER-DAEMON@mx.example") is None  # a bounce
