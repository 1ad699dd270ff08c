"""The building blocks of consolidation: word-level comparison and paragraph alignment."""
from __future__ import annotations

from docxio.alignment import AlignItem, align
from docxio.wordiff import Edit, canonical, compare, normalise, similarity, word_edits

BASE = "PP2. Recognizing the misuse by criminal organizations of payment systems,"


def test_word_edits_turn_old_into_new():
    new = "PP2. Recognizing the misuse and abuse by organized criminal groups of payment systems,"
    edits = word_edits(BASE, new)
    rebuilt, pos = "", 0
    for e in edits:
        assert BASE[e.at:e.at + len(e.deleted)] == e.deleted
        rebuilt += BASE[pos:e.at] + e.inserted
        pos = e.at + len(e.deleted)
    assert rebuilt + BASE[pos:] == new
    # word by word: "criminal" is kept, "organized" inserted before it, "organizations" replaced
    assert [(e.deleted.strip(), e.inserted.strip()) for e in edits] == [
        ("", "and abuse"), ("", "organized"), ("organizations", "groups")]


def test_typography_is_not_an_edit():
    assert word_edits('the "darknet" - and  more', "the “darknet” – and more") == []
    assert normalise("  “a”\u00a0–  b ") == '"a" - b'


def test_offsets_map_from_new_text_to_old():
    new = "PP2. Recognizing the growing misuse by criminal organizations of payment systems,"
    comparison = compare(BASE, new)
    assert comparison.old_offset(new.index("criminal")) == BASE.index("criminal")
    # a point inside inserted words lands where the insertion is, after "the"
    assert BASE[:comparison.old_offset(new.index("growing") + 3)].rstrip().endswith("Recognizing the")


def test_canonical_puts_the_space_first():
    at = BASE.index("by")
    assert canonical(BASE, Edit(at, "", "and abuse ")) == Edit(at - 1, "", " and abuse")
    assert canonical(BASE, Edit(at, "by ", "")) == Edit(at - 1, " by", "")
    assert canonical(BASE, Edit(at, "by", "with")) == Edit(at, "by", "with")


def test_similarity_orders_candidates():
    assert similarity(BASE, BASE) == 1.0
    assert similarity(BASE, BASE.replace("misuse", "abuse")) > similarity(BASE, "Decides to remain seized of the matter.")


def test_align_identifier_text_moves_new_and_missing():
    base = [AlignItem("PP1", ("PP1. Concerned about trafficking,",)),
            AlignItem("PP2", (BASE,)),
            AlignItem("OP1", ("Urges Member States to cooperate;",)),
            AlignItem("OP2", ("Invites the Office to assist;",)),
            AlignItem("OP3", ("Requests a report.",))]
    submission = [AlignItem("PP1", ("PP1. Concerned about illicit trafficking,",)),  # edited, same id
                  AlignItem("", ("Invites the Office to assist;",)),                 # moved up
                  AlignItem("PP2", (BASE,)),
                  AlignItem("OP2", ("Urges Member States to cooperate closely;",)),  # renumbered
                  AlignItem("OP3", ("Calls for a completely different thing altogether;",))]
    result = align(base, submission)
    assert result.matched == {0: 0, 1: 3, 2: 1, 3: 2}
    assert result.moved == [1]
    assert result.new == [4] and result.missing == [4]
