"""Paragraph identifiers as delegations type them, read into one canonical form."""
from __future__ import annotations

import pytest

from docxio.identifiers import (
    ORDINALS,
    Identifier,
    canonical_identifier,
    letter_value,
    next_free_identifier,
    ordinal_index,
    ordinal_value,
    ordinal_word,
    parse_identifier,
    parse_label,
    parse_sub_label,
    roman_value,
    sort_key,
)


@pytest.mark.parametrize(
    ("text", "canonical", "label"),
    [
        ("PP3 bis. Taking into account the challenges", "PP3 bis", "PP3 bis."),
        ("OP9 ter Calls upon UNODC", "OP9 ter", "OP9 ter"),
        ("OP9 ter, Calls upon UNODC", "OP9 ter", "OP9 ter,"),
        ("PP3 ter alt. Reaffirming the importance", "PP3 ter alt", "PP3 ter alt."),
        ("PP 5 Recalling", "PP5", "PP 5"),
        ("pp3Ter Reaffirming", "PP3 ter", "pp3Ter"),
        ("8 bis *Requests* the United Nations Office", "OP8 bis", "8 bis"),
        ("[PP5] Recalling the recommendation", "PP5", "[PP5]"),
        ("[ PP5 ] Recalling", "PP5", "[ PP5 ]"),
        ("OP9 bis alt 2 Invites", "OP9 bis alt 2", "OP9 bis alt 2"),
        ("OP9 bis alt. 2 Invites", "OP9 bis alt 2", "OP9 bis alt. 2"),
        ("PP2bis alt 2: Noting", "PP2 bis alt 2", "PP2bis alt 2:"),
        ("OP6alt Decides", "OP6 alt", "OP6alt"),
        ("PP6 Recalling also the Ministerial Declaration", "PP6", "PP6"),
        ("PP10. Noting", "PP10", "PP10."),
        ("op12 Decides", "OP12", "op12"),
        ("OP7-ter Encourages", "OP7 ter", "OP7-ter"),
        ("1. Calls upon Member States", "OP1", "1."),
        ("12. Decides to remain seized", "OP12", "12."),
        ("3 (a) Strengthening", "OP3 (a)", "3 (a)"),
        ("OP3 (a) Strengthening", "OP3 (a)", "OP3 (a)"),
        ("OP3(a)(ii) Strengthening", "OP3 (a) (ii)", "OP3(a)(ii)"),
        ("OP3 (a bis) Strengthening", "OP3 (a bis)", "OP3 (a bis)"),
        ("OP3 (B) Strengthening", "OP3 (b)", "OP3 (B)"),
        ("PP1.", "PP1", "PP1."),
        ("OP2", "OP2", "OP2"),
        ("PP3 bis\tTaking", "PP3 bis", "PP3 bis"),
    ],
)
def test_typed_labels_are_read_to_their_canonical_form(text: str, canonical: str, label: str) -> None:
    found = parse_label(text)
    assert found is not None
    assert found.id == canonical
    assert found.text == label
    assert text[: found.length] == label
    assert text[found.body_start:] == text[len(label):].lstrip()


def test_leading_white_space_is_part_of_the_consumed_length() -> None:
    found = parse_label("  PP1.   Recalling")
    assert found is not None
    assert found.text == "PP1."
    assert found.length == 6
    assert "  PP1.   Recalling"[found.body_start:] == "Recalling"


@pytest.mark.parametrize(
    "text",
    [
        "Recalling its resolution 64/182",
        "The Commission on Narcotic Drugs,",
        "[OP9bis agreed in informals]",
        "[Mexico: addition of other stakeholders]",
        "PP3] Recalling",
        "2022 was a year of crisis",
        "8.5 per cent of seizures",
        "1.1 Scope",
        "25/11 resolution",
        "PP3bisect",
        "PPE supplies",
        "Op. cit.",
        "(a) Strengthening",
        "OP",
        "",
        "8 Requests",
    ],
)
def test_text_that_is_not_a_label_is_not_read_as_one(text: str) -> None:
    assert parse_label(text) is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("OP3 terminates the mandate", "OP3"),
        ("PP3 Alternatively", "PP3"),
        ("OP5 bisected", "OP5"),
    ],
)
def test_a_suffix_must_be_a_whole_word(text: str, canonical: str) -> None:
    found = parse_label(text)
    assert found is not None and found.id == canonical
    assert text[found.body_start:] == text.split(" ", 1)[1]


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("bis", 2), ("ter", 3), ("quater", 4), ("quinquies", 5), ("sexies", 6), ("septies", 7),
        ("octies", 8), ("novies", 9), ("decies", 10), ("undecies", 11), ("duodecies", 12),
        ("terdecies", 13), ("quaterdecies", 14), ("quindecies", 15), ("sexdecies", 16),
        ("septdecies", 17), ("octodecies", 18), ("novodecies", 19), ("vicies", 20),
        ("unvicies", 21), ("duovicies", 22), ("tricies", 30),
        # variants (field notes §3)
        ("nonies", 9), ("quinques", 5), ("sedecies", 16), ("septiesdecies", 17),
        ("duodevicies", 18), ("undevicies", 19), ("tredecies", 13), ("quattuordecies", 14),
        ("deciens", 10), ("sexiens", 6), ("viciens", 20), ("quinquiens", 5), ("noviens", 9),
        ("BIS", 2), ("Ter", 3),
    ],
)
def test_every_latin_ordinal_and_its_variants_has_one_value(word: str, value: int) -> None:
    assert ordinal_value(word) == value
    assert ordinal_index(word) == value
    found = parse_label(f"OP4 {word} Decides")
    assert found is not None and found.id == f"OP4 {ordinal_word(value)}"
    assert parse_label(f"op4{word} Decides").id == f"OP4 {ordinal_word(value)}"


def test_canonical_ordinals_round_trip() -> None:
    assert ORDINALS[:3] == ("bis", "ter", "quater") and ORDINALS[18] == "vicies"
    for value, word in enumerate(ORDINALS, start=2):
        assert ordinal_value(word) == value
        assert ordinal_word(value) == word
    with pytest.raises(ValueError, match="no Latin ordinal suffix for 31"):
        ordinal_word(31)
    with pytest.raises(ValueError, match="'alt' is not a Latin ordinal"):
        ordinal_index("alt")
    assert ordinal_index("") == 1
    assert ordinal_value("bisect") is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("OP 9bis", "OP9 bis"), ("pp3 ter alt", "PP3 ter alt"), ("OP9 bis alt 1", "OP9 bis alt"),
        ("  PP5 ", "PP5"), ("8 bis", "OP8 bis"), ("OP6 nonies", "OP6 novies"), ("[PP5]", "PP5"),
        ("chapeau", None), ("P7", None), ("PP5 Recalling", None), ("", None),
    ],
)
def test_canonical_identifier_of_an_identifier_written_alone(text: str, canonical: str | None) -> None:
    assert canonical_identifier(text) == canonical


def test_identifier_value_parts() -> None:
    identifier = parse_identifier("OP9 bis alt 2")
    assert identifier == Identifier("OP", 9, 2, 2)
    assert identifier.base == Identifier("OP", 9, 2)
    assert str(identifier.base) == "OP9 bis"
    assert parse_identifier("OP3 (a) (ii)") == Identifier("OP", 3, sub=("a", "ii"))


@pytest.mark.parametrize(
    ("after", "taken", "expected"),
    [
        ("PP3", {"PP3 bis"}, "PP3 ter"),
        ("OP9", set(), "OP9 bis"),
        ("OP9", {"OP9 bis", "OP9 ter"}, "OP9 quater"),
        ("PP3 bis", {"PP3 bis", "PP3 ter"}, "PP3 quater"),
        ("PP3 ter alt", {"PP3 bis", "PP3 ter"}, "PP3 quater"),
        ("OP9", {"OP 9bis"}, "OP9 ter"),  # taken ids in any spelling
        ("OP 9", set(), "OP9 bis"),
        ("OP3 (a)", set(), "OP3 (a bis)"),
        ("OP3 (a)", {"OP3 (a bis)"}, "OP3 (a ter)"),
        ("title", set(), "PP0 bis"),
        ("chapeau", {"PP0 bis"}, "PP0 ter"),
        ("P7", {"P7 bis"}, "P7 ter"),
        ("P7 bis", set(), "P7 ter"),
        ("P7 ter", {"P7 quater"}, "P7 quinquies"),
        ("footnote 2 ¶1", set(), "footnote 2 ¶1 bis"),
        ("OP1", {f"OP1 {w}" for w in ORDINALS[:18]}, "OP1 vicies"),
    ],
)
def test_next_free_identifier(after: str, taken: set[str], expected: str) -> None:
    assert next_free_identifier(after, taken) == expected


def test_next_free_identifier_when_every_suffix_is_taken() -> None:
    with pytest.raises(ValueError, match="no free identifier after 'OP1'"):
        next_free_identifier("OP1", {f"OP1 {w}" for w in ORDINALS})


def test_sort_key_puts_identifiers_in_document_order() -> None:
    in_order = [
        "title", "PP1", "PP2", "PP2 bis", "PP3", "PP3 ter", "PP3 ter alt", "PP3 ter alt 2", "PP3 quater",
        "PP10", "chapeau", "OP1", "OP3", "OP3 (a)", "OP3 (a) (ii)", "OP3 (a) (iv)", "OP3 (a) (v)",
        "OP3 (a) (ix)", "OP3 (a bis)", "OP3 (b)", "OP3 bis", "OP9 bis", "OP9 novies", "OP9 decies",
        "OP9 vicies", "OP10", "P1", "P2", "P10",
    ]
    shuffled = sorted(in_order, key=lambda s: (hash(s) % 7, s))
    assert sorted(shuffled, key=sort_key) == in_order


@pytest.mark.parametrize(("text", "value"), [("i", 1), ("iv", 4), ("ix", 9), ("xiv", 14), ("xl", 40), ("a", None)])
def test_roman_value(text: str, value: int | None) -> None:
    assert roman_value(text) == value


@pytest.mark.parametrize(("text", "value"), [("a", 1), ("z", 26), ("aa", 27), ("bb", 28), ("ab", None), ("1", None)])
def test_letter_value(text: str, value: int | None) -> None:
    assert letter_value(text) == value


@pytest.mark.parametrize(
    ("text", "sub", "letter", "roman", "label"),
    [
        ("(a) To report", "a", 1, None, "(a)"),
        ("(ii) orally", "ii", 35, 2, "(ii)"),
        ("(a bis) To assist", "a bis", 1, None, "(a bis)"),
        ("(c nonies) x", "c novies", 3, 100, "(c nonies)"),
        ("  (b)  text", "b", 2, None, "(b)"),
    ],
)
def test_parse_sub_label(text: str, sub: str, letter: int | None, roman: int | None, label: str) -> None:
    found = parse_sub_label(text)
    assert found is not None
    assert (found.sub, found.letter, found.roman, found.text) == (sub, letter, roman, label)
    assert text[found.length - len(label):found.length] == label
    assert text[found.body_start:] == text.strip()[len(label):].lstrip()


@pytest.mark.parametrize("text", ["(eu) delegations", "(Reservation on the resolution: EU)", "(MIX) x", "(c)", "(a)x", "a) x"])
def test_text_that_is_not_a_sub_label(text: str) -> None:
    assert parse_sub_label(text) is None
