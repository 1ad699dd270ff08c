/* Paragraph identifiers in the task pane: the labels delegates type ("PP3 ter alt", "8 bis"),
 * parsed with the same grammar as docxio/identifiers.py (tests/test_taskpane_e2e.py checks that
 * both agree), list-numbered operative paragraphs, and matching by text against the round.
 * Plain script, no build step: the functions are globals used by taskpane.js. */
"use strict";

/* Latin ordinals by value from 2 ("bis") to 30 ("tricies"), then spelling variants and the value
 * they mean; "-iens" forms ("deciens") are accepted by rule. Mirrors docxio/identifiers.py. */
const ORDINALS = ["bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies",
  "decies", "undecies", "duodecies", "terdecies", "quaterdecies", "quindecies", "sexdecies",
  "septdecies", "octodecies", "novodecies", "vicies", "unvicies", "duovicies", "tervicies",
  "quatervicies", "quinvicies", "sexvicies", "septvicies", "octovicies", "novovicies", "tricies"];
const ORDINAL_VARIANTS = {
  quarter: 4, quinques: 5, quinquiens: 5, nonies: 9, tredecies: 13, quattuordecies: 14,
  quatuordecies: 14, quinquiesdecies: 15, quinquadecies: 15, sedecies: 16, sexiesdecies: 16,
  septiesdecies: 17, septemdecies: 17, septendecies: 17, octiesdecies: 18, duodevicies: 18,
  octodeciens: 18, noviesdecies: 19, undevicies: 19, novemdecies: 19, nonodecies: 19,
};
const ORDINAL_VALUES = Object.assign(
  Object.fromEntries(ORDINALS.map((word, i) => [word, i + 2])), ORDINAL_VARIANTS);
const ORDINAL_WORDS = Array.from(new Set(Object.keys(ORDINAL_VALUES).concat(
  Object.keys(ORDINAL_VALUES).filter((w) => w.endsWith("ies")).map((w) => w.slice(0, -3) + "iens"))))
  .sort((a, b) => b.length - a.length).join("|");

/** The value of a Latin ordinal in any accepted spelling ("nonies" -> 9), or null. */
function ordinalValue(word) {
  const w = word.toLowerCase();
  if (w in ORDINAL_VALUES) return ORDINAL_VALUES[w];
  if (w.endsWith("iens")) return ORDINAL_VALUES[w.slice(0, -4) + "ies"] || null;
  return null;
}

/* The grammar of docxio.identifiers._LABEL: "PP3 ter alt.", "pp3Ter", "[PP5]", "8 bis",
 * "OP9 bis alt 2", "OP3 (a) (ii)". Groups: 1 open, 2 kind, 3 num, 4 bare, 5 ord, 6 alt,
 * 7 altn, 8 sub, 9 close, 10 punct. */
const LABEL_RE = new RegExp(
  "^\\s*(\\[\\s*)?" +
  "(?:(PP|OP)\\s*(\\d{1,3})(?!\\d)|(\\d{1,3})(?![\\d/,]))" +
  "(?:[\\s\\-]*(" + ORDINAL_WORDS + ")(?![a-z]))?" +
  "(?:[\\s\\-]*(alt)(?![a-z])\\.?(?:\\s*(\\d{1,2})(?![\\d.,]\\d))?)?" +
  "((?:\\s*\\(\\s*(?:[a-z]{1,4})(?:\\s+(?:" + ORDINAL_WORDS + "))?\\s*\\))*)" +
  "(\\s*\\])?" +
  "([.,:;](?!\\d))?", "i");
const SUB_RE = new RegExp("\\(\\s*([a-z]{1,4})(?:\\s+(" + ORDINAL_WORDS + "))?\\s*\\)", "gi");

/** The canonical identifier typed at the start of `text` ("PP3 ter alt", "OP9 bis"), or null. */
function parseLabel(text) {
  text = text || "";
  const m = LABEL_RE.exec(text);
  if (!m) return null;
  const end = m[0].length;
  if (Boolean(m[1]) !== Boolean(m[9])) return null;
  if (m[4] !== undefined && !(m[5] || m[6] || m[8] || m[10] === ".")) return null;
  if (end < text.length && (/[\p{L}\p{N}]/u.test(text[end]) || "([/-".includes(text[end]))) return null;
  let id = (m[2] ? m[2].toUpperCase() : "OP") + parseInt(m[3] || m[4], 10);
  if (m[5]) {
    const value = ordinalValue(m[5]);
    if (value > 1) id += " " + ORDINALS[value - 2];
  }
  if (m[7] && parseInt(m[7], 10) > 1) id += " alt " + parseInt(m[7], 10);
  else if (m[6] || m[7]) id += " alt";
  for (const sub of (m[8] || "").matchAll(SUB_RE)) {
    id += " (" + sub[1].toLowerCase() + (sub[2] ? " " + ORDINALS[ordinalValue(sub[2]) - 2] : "") + ")";
  }
  return id;
}

/** "4." or "4)" from list numbering -> "OP4"; null for other list labels ("(a)", "i."). */
function operativeFromList(listString) {
  const m = /^\s*(\d{1,3})\s*[.)]?\s*$/.exec(listString || "");
  return m ? "OP" + parseInt(m[1], 10) : null;
}

/* Text matching: a paragraph the delegate edited still shares most of its words with the base. */
const SAME_PARAGRAPH = 0.6;   /* word similarity from which two texts are the same paragraph */
const CLEAR_MARGIN = 0.15;    /* how much better than the runner-up a match must be */
const UNRELATED = 0.25;       /* below this, a list-numbered paragraph is not the base one */

function words(text) {
  return new Set((text || "").toLowerCase().match(/[\p{L}\p{N}]+/gu) || []);
}

/** Dice similarity of the two texts' word sets, 0 (nothing shared) to 1 (same words). */
function similarity(a, b) {
  const x = words(a);
  const y = words(b);
  if (!x.size || !y.size) return 0;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared += 1;
  return (2 * shared) / (x.size + y.size);
}

/** The round paragraph the selected text is, with {paragraph, score}, or null when no base
 * paragraph is clearly the one (too different, or two equally close: "Requests UNODC to …"). */
function matchByText(text, paragraphs) {
  if (words(text).size < 3) return null;
  const scored = paragraphs
    .filter((p) => p.base_text && !p.new)
    .map((p) => ({ paragraph: p, score: similarity(text, p.base_text) }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  if (!best || best.score < SAME_PARAGRAPH) return null;
  if (second && best.score - second.score < CLEAR_MARGIN && best.score < 1) return null;
  return best;
}

/** Where the selected paragraph is, as {id, source}: source "typed" (a label at its start),
 * "text" (its words match a base paragraph), "numbering" (Word's list number, "4." = OP4),
 * "new" (a numbered paragraph unlike the base one of that number: the delegate is adding it,
 * and Word's numbers after it have shifted), or "none" (title, chapeau, unknown text). Text wins
 * over numbering because tracked insertions renumber the list (the seed's "104." artefacts). */
function identify(paragraph, roundParagraphs) {
  const round = roundParagraphs || [];
  const typed = parseLabel(paragraph.text);
  if (typed) return { id: typed, source: "typed" };
  const matched = matchByText(paragraph.text, round);
  if (matched) return { id: matched.paragraph.id, source: "text", exact: matched.score === 1 };
  const op = paragraph.listString ? operativeFromList(paragraph.listString) : null;
  if (op) {
    const base = round.find((p) => p.id === op);
    if (base && similarity(paragraph.text, base.base_text) < UNRELATED) return { id: null, source: "new" };
    return { id: op, source: "numbering" };
  }
  return { id: null, source: "none" };
}
