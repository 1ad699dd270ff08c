"""The delegation registry: who a Word author or an email sender is."""
from __future__ import annotations

import pytest

from docxio.delegations import Delegation, Registry, RegistryError, load_registry, parse_registry, short_name

CSV = """delegation,aliases,emails
Egypt,Ahmed Hassan;Delegation of Egypt;EGY,egypt.mission@un.example;@mfa.gov.eg
Singapore,Tan Wei Ling;SGP,@mfa.gov.sg
Côte d'Ivoire,CIV,
European Union,EU;Delegation of the European Union,@eeas.europa.eu
"""


@pytest.fixture
def registry():
    return parse_registry(CSV)


@pytest.mark.parametrize("author, expected", [
    ("Ahmed Hassan", ["Egypt"]),
    ("  ahmed   HASSAN ", ["Egypt"]),
    ("delegation of egypt", ["Egypt"]),
    ("EGY", ["Egypt"]),
    ("Egypt", ["Egypt"]),
    ("Cote d'Ivoire", ["Côte d'Ivoire"]),
    ("COTE DIVOIRE", ["Côte d'Ivoire"]),
    ("Egypt, Singapore", ["Egypt", "Singapore"]),
    ("EU; SGP", ["European Union", "Singapore"]),
    ("Chair's proposal", ["Chair"]),
    ("Chair’s Proposal", ["Chair"]),
    ("Author", []),
    ("", []),
    ("Egypt, Someone Else", []),  # a list with an unknown name is not guessed
])
def test_author_to_delegations(registry, author, expected):
    assert registry.delegation_for_author(author) == expected


@pytest.mark.parametrize("address, expected", [
    ("egypt.mission@un.example", "Egypt"),
    ("EGYPT.Mission@UN.example", "Egypt"),
    ("someone@mfa.gov.eg", "Egypt"),
    ("<desk@mfa.gov.sg>", "Singapore"),
    ("attache@brussels.eeas.europa.eu", "European Union"),
    ("other@un.example", None),
    ("personal@gmail.com", None),
    ("", None),
])
def test_email_to_delegation(registry, address, expected):
    assert registry.delegation_for_email(address) == expected


def test_load_registry_with_bom(tmp_path):
    path = tmp_path / "delegations.csv"
    path.write_bytes("\ufeff".encode() + CSV.encode("utf-8"))
    registry = load_registry(path)
    assert registry.names() == ["Egypt", "Singapore", "Côte d'Ivoire", "European Union"]
    assert registry.get("Delegation of the European Union").emails == ("@eeas.europa.eu",)


def test_missing_column_names_file_and_columns(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,aliases\nEgypt,EGY\n", encoding="utf-8")
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    assert error.value.file == "people.csv"
    assert "delegation" in error.value.problem and "emails" in error.value.problem


def test_not_utf8_is_explained(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("delegation,aliases,emails\nCôte d'Ivoire,,\n".encode("latin-1"))
    with pytest.raises(RegistryError, match="latin1.csv: .*UTF-8"):
        load_registry(path)


def test_unreadable_file_names_it(tmp_path):
    with pytest.raises(RegistryError, match="absent.csv: cannot read"):
        load_registry(tmp_path / "absent.csv")


def test_compilation_texts_credit_short_names_and_the_registry_reads_them_back():
    # "(Iran)" in a compilation text, as secretariats write it, is Iran (Islamic Republic of);
    # a short name that is another delegation's exact name stays that delegation's.
    registry = Registry([Delegation("Iran (Islamic Republic of)"), Delegation("Venezuela (Bolivarian Republic of)"),
                         Delegation("Congo"), Delegation("Congo (Democratic Republic of the)", ("DRC",))])
    assert short_name("Iran (Islamic Republic of)") == "Iran"
    assert short_name("European Union") == "European Union"
    assert registry.delegation_for_author("Iran") == ["Iran (Islamic Republic of)"]
    assert registry.delegation_for_author("Iran, Venezuela") == [
        "Iran (Islamic Republic of)", "Venezuela (Bolivarian Republic of)"]
    assert registry.delegation_for_author("Congo") == ["Congo"]
