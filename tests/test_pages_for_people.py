"""Secretariat pages a person reaches by a link that is wrong, and the invitation a delegation
opens: each says in words what happened and what to do.

Found clicking through the pages: a mistyped or outdated invitation link (and a round that does
not exist) showed the server's technical page "The requested URL was not found on the server. If
you entered the URL manually please check your spelling…", and the invitation told delegations
to "e-mail the marked-up .docx to the secretariat" without saying to which address.
"""
from __future__ import annotations

from tests.test_api import Round, _login, app, client, rnd  # noqa: F401 (fixtures)
from tests.test_api_support import round_files  # noqa: F401 (session fixture)

TECHNICAL = "The requested URL was not found on the server"


def test_an_invalid_invitation_link_says_so_and_whom_to_ask(client):
    response = client.get("/invite/an-outdated-token")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This invitation link is not valid" in page and "Ask the secretariat" in page
    assert TECHNICAL not in page and "Concord" in page


def test_a_round_or_negotiation_that_does_not_exist_says_so_with_a_way_back(client):
    _login(client)
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
