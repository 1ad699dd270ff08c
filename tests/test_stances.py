"""Stances read from comments: the vocabulary, its variants, whole-draft scope, free text."""
from __future__ import annotations

import pytest

from docxio.stances import Vocabulary, read_stance, stance_in_brackets


@pytest.mark.parametrize("text, stance, by", [
    ("Retain", "retain", None),
    ("retain: Turkey", "retain", "Turkey"),
    ("Please retain.", "retain", None),
    ("Delete", "delete", None),
    ("Reservation", "reservation", None),
    ("Reservation by Iran", "reservation", "Iran"),
    ("We can be flexible", "flexible", None),
    ("flexible", "flexible", None),
    ("We support this", "support", None),
    ("We cannot support this", "oppose", None),
    ("Oppose", "oppose", None),
    ("Consult with capital", "consult with capital", None),
    ("consult capital", "consult with capital", None),
    ("Ad ref", "consult with capital", None),
])
def test_vocabulary_and_variants(text, stance, by):
    reading = read_stance(text)
    assert reading.recognised and reading.stance == stance and reading.by == by
    assert reading.scope == "passage"


@pytest.mark.parametrize("text", ["Reservation on the resolution", "Reservation on the title",
                                  "We have a reservation on the draft resolution as a whole"])
def test_whole_draft_stances(text):
    reading = read_stance(text)
    assert reading.stance == "reservation" and reading.scope == "draft"


def test_free_text_is_kept_word_for_word():
    text = "This duplicates OP3;   we suggest merging the two paragraphs after the informals."
    reading = read_stance(text)
    assert not reading.recognised
    assert reading.stance == "This duplicates OP3; we suggest merging the two paragraphs after the informals."


def test_support_for_a_deletion_is_not_plain_support():
    assert not read_stance("We support the deletion").recognised


def test_configurable_vocabulary():
    vocabulary = Vocabulary.from_mapping({"reflect": "to be reflected; reflect", "retain": ["keep"]})
    assert read_stance("To be reflected", vocabulary).stance == "reflect"
    assert read_stance("keep", vocabulary).stance == "retain"
    # words of the default vocabulary are free text under another vocabulary
    assert not read_stance("flexible", vocabulary).recognised


def test_stance_typed_in_brackets():
    assert stance_in_brackets(" (retain)").stance == "retain"
    assert stance_in_brackets("[reservation]").stance == "reservation"
    assert stance_in_brackets("(and abuse)") is None
    assert stance_in_brackets("retain") is None
