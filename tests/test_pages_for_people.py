"""Secretariat pages a person reaches by a link that is wrong, and the invitation a delegation
opens: each says in words what happened and what to do.

Found clicking through the pages: a mistyped or outdated invitation link (and a round that does
not exist) showed the server's technical page "The requested URL was not found on the server. If
you entered the URL manually please check your spelling…", and the invitation told delegations
to "e-mail the marked-up .docx to the secretariat" without saying to which address.
"""
from __future__ import annotations

from tests.api_fixtures import Round, sign_in

TECHNICAL = "The requested URL was not found on the server"


def test_an_invalid_invitation_link_says_so_and_whom_to_ask(client):
    response = client.get("/invite/an-outdated-token")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This invitation link is not valid" in page and "Ask the secretariat" in page
    assert TECHNICAL not in page and "Concord" in page


def test_a_round_or_negotiation_that_does_not_exist_says_so_with_a_way_back(client):
    sign_in(client)
    for path, words in (("/rounds/999", "There is no round 999"), ("/negotiations/999", "There is no negotiation 999")):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 404 and words in page, path
        assert TECHNICAL not in page and 'href="/negotiations"' in page


def test_the_invitation_names_the_address_to_e_mail_submissions_to(app, rnd: Round):
    token = rnd.tokens["Egypt"]
    assert "mailto:" not in rnd.client.get(f"/invite/{token}").get_data(as_text=True)  # mail not set up
    app.config["SMTP_FROM"] = "cnd-submissions@un.example.org"
    page = rnd.client.get(f"/invite/{token}").get_data(as_text=True)
    assert 'href="mailto:cnd-submissions@un.example.org"' in page


def _notice(rnd: Round) -> str:
    """The round page's "not in the downloads yet" notice ("" when there is none)."""
    import re

    page = rnd.client.get(f"/rounds/{rnd.rid}").get_data(as_text=True)
    found = re.search(r'<div class="message error" id="merge-outdated"[^>]*>(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def test_the_round_page_says_when_the_downloads_lack_what_came_after_the_merge(rnd: Round):
    """A late submission or a status set after the merge is not in the downloads until the next
    merge: the page says so, instead of letting the officer circulate a draft without them."""
    import io

    import docx

    sign_in(rnd.client)
    rnd.submit("egypt.docx", rnd.as_("Egypt"))
    assert rnd.merge()["state"] == "done"
    assert _notice(rnd) == ""

    rnd.submit("singapore.docx", rnd.as_("Singapore"))
    assert "singapore.docx" in _notice(rnd) and "Merge again" in _notice(rnd)

    assert rnd.merge()["state"] == "done"
    assert _notice(rnd) == ""
    status = rnd.client.put(f"/api/rounds/{rnd.rid}/paragraphs/PP1/status", headers=rnd.secretariat,
                            json={"status": "agreed in informals"})
    assert status.status_code == 200
    assert "Statuses set since the last merge" in _notice(rnd) and "PP1" in _notice(rnd)

    assert rnd.merge()["state"] == "done"
    assert _notice(rnd) == ""
    download = rnd.client.get(f"/api/rounds/{rnd.rid}/consolidated", headers=rnd.secretariat).data
    assert "[PP1 agreed in informals]" in [p.text for p in docx.Document(io.BytesIO(download)).paragraphs]
