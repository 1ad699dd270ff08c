"""What `concord run` prints: the delegation tokens in one column, however long the names.

Found running it: "Iran (Islamic Republic of)" and "Venezuela (Bolivarian Republic of)" pushed
their tokens out of the column the other delegations' tokens were in, so the officer copying a
token from the terminal could take the wrong one.
"""
from __future__ import annotations

from addin.commands.run import _print_welcome

TOKENS = {
    "Egypt": "e" * 43,
    "Iran (Islamic Republic of)": "i" * 43,
    "Venezuela (Bolivarian Republic of)": "v" * 43,
    "Chair": "c" * 43,
}


def test_every_delegation_token_starts_in_the_same_column(capsys):
    _print_welcome("https://localhost:5443", {"user": "secretariat", "password": "pw",
                                              "sample": {"round": 1, "tokens": TOKENS}})
    lines = [line for line in capsys.readouterr().out.splitlines() if "/invite/" in line]
    assert len(lines) == len(TOKENS)
    columns = {line.index(token) for line, token in zip(lines, TOKENS.values())}
    assert len(columns) == 1
    for line, (name, token) in zip(lines, TOKENS.items()):
        assert line.strip().startswith(name) and line.endswith(f"https://localhost:5443/invite/{token}")
