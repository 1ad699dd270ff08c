/* Concord task pane: plain JavaScript, no build step.
 *
 * Delegate: sign in with the invitation token, see the paragraph identifier under the cursor and
 * the proposals known for it, keep Track Changes on, add stance comments, submit the whole
 * document, read what the secretariat's system understood, open the published consolidated draft.
 * Secretariat: see the round's submissions, merge and open the consolidated draft.
 *
 * Word API use: WordApi 1.3 (paragraph list labels, createDocument) is the manifest's minimum;
 * changeTrackingMode and insertComment (WordApi 1.4) only after isSetSupported("WordApi", "1.4").
 */
"use strict";

const TOKEN_KEY = "concord.token";
const STANCES = ["retain", "delete", "reservation", "flexible", "consult with capital"];
/* 64 KB slices: the iPad maximum, so one size works everywhere; Word hands them over quickly. */
const SLICE_SIZE = 65536;
const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/* ---------- paragraph identifiers (same grammar as docxio/identifiers.py) ---------- */

/* Latin ordinals by value from 2 ("bis") to 31 ("tricies"), then spelling variants and the value
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

function normalise(text) {
  return (text || "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** The round paragraph whose base text the selected paragraph's text matches, or null. */
function matchByText(text, paragraphs) {
  const wanted = normalise(text);
  if (wanted.length < 8) return null;
  let best = null;
  for (const p of paragraphs) {
    const base = normalise(p.base_text);
    if (!base) continue;
    if (base === wanted) return p;
    /* The delegate may have edited the paragraph: compare the opening words. */
    const head = Math.min(40, base.length, wanted.length);
    if (!best && head >= 20 && base.slice(0, head) === wanted.slice(0, head)) best = p;
  }
  return best;
}

/** Where the selected paragraph is: {id, source}, from its typed label, its list number or its text. */
function identify(paragraph, roundParagraphs) {
  const typed = parseLabel(paragraph.text);
  if (typed) return { id: typed, source: "typed" };
  if (paragraph.listString) {
    const op = operativeFromList(paragraph.listString);
    if (op) return { id: op, source: "numbering" };
  }
  const matched = matchByText(paragraph.text, roundParagraphs || []);
  if (matched) return { id: matched.id, source: "text" };
  return { id: null, source: "none" };
}

/* ---------- small DOM helpers ---------- */

function $(id) { return document.getElementById(id); }

function show(stateId) {
  for (const section of document.querySelectorAll("section.state")) {
    section.hidden = section.id !== stateId;
  }
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

function quote(text) {
  const t = (text || "").replace(/\s+/g, " ").trim();
  return "\u201c" + (t.length > 80 ? t.slice(0, 77) + "\u2026" : t) + "\u201d";
}

/** One proposal as the compilation text shows it: the change, then its delegations. */
function describeProposal(p) {
  const parts = [];
  const kind = p.kind || "";
  if (kind === "insert") parts.push("insert ", el("span", { class: "ins" }, quote(p.inserted)));
  else if (kind === "delete") parts.push("delete ", el("span", { class: "del" }, quote(p.deleted)));
  else if (kind === "replace") parts.push(el("span", { class: "del" }, quote(p.deleted)), " \u2192 ", el("span", { class: "ins" }, quote(p.inserted)));
  else if (kind === "new_paragraph") parts.push("new paragraph ", el("span", { class: "ins" }, quote(p.inserted)));
  else if (kind === "delete_paragraph") parts.push("delete the paragraph");
  else if (kind === "move") parts.push("move" + (p.moved_to ? " after " + p.moved_to : ""));
  else if (kind === "footnote") parts.push("footnote ", el("span", { class: "ins" }, quote(p.inserted)));
  else parts.push(kind || "change", p.inserted ? " " + quote(p.inserted) : "");
  if (p.tracked === false) parts.push(" (without Track Changes)");
  const who = (p.delegations || []).join(", ");
  if (who) parts.push(" ", el("span", { class: "by" }, "(" + who + ")"));
  return parts;
}

function describeStance(s) {
  const who = (s.delegations || []).join(", ");
  return [el("b", {}, s.stance), s.anchor ? " on " + quote(s.anchor) : "", who ? " " : "", who ? el("span", { class: "by" }, "(" + who + ")") : ""];
}

/* ---------- the backend ---------- */

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function authHeaders(token) {
  return { Authorization: "Bearer " + token };
}

async function errorMessage(response) {
  let text = "";
  try {
    const body = await response.clone().json();
    /* The API answers {error: <code name>, message: <sentence>}: the sentence is for people. */
    text = body.message || body.error || "";
  } catch (_) {
    text = (await response.text()).slice(0, 200);
  }
  return text || response.status + " " + response.statusText;
}

async function api(token, path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = Object.assign(authHeaders(token), opts.headers || {});
  const response = await fetch(path, opts);
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return response;
}

/** /api/me in one shape whatever the backend's field names: role, delegation, negotiation, round. */
function readMe(me) {
  const name = (v) => (v && typeof v === "object" ? v.name || v.title || "" : v || "");
  const round = me.current_round !== undefined ? me.current_round
    : me.round && typeof me.round === "object" ? me.round.id : me.round;
  return {
    role: me.role === "secretariat" ? "secretariat" : "delegation",
    delegation: name(me.delegation),
    negotiation: name(me.negotiation) || me.negotiation_title || "",
    symbol: (me.negotiation && me.negotiation.symbol) || me.symbol || "",
    round: round === undefined ? null : round,
    roundNumber: null,
    published: false,
  };
}

/** POST the document with upload progress (fetch has none): resolves to the parsed JSON reply. */
function upload(token, url, bytes, filename, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", "Bearer " + token);
    xhr.setRequestHeader("Content-Type", DOCX_TYPE);
    xhr.setRequestHeader("X-Concord-Client", "addin");
    /* Header values must be Latin-1: a name with other characters goes percent-encoded. */
    xhr.setRequestHeader("X-Filename", /^[\x20-\x7e]*$/.test(filename) ? filename : encodeURIComponent(filename));
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300 && body) { onProgress(1); resolve(body); return; }
      const message = (body && (body.message || body.error)) || (xhr.status + " " + xhr.statusText);
      reject(new ApiError(xhr.status, message));
    };
    xhr.onerror = () => reject(new ApiError(0, "The secretariat's server could not be reached. Check your connection and try again."));
    xhr.send(new Blob([bytes], { type: DOCX_TYPE }));
  });
}

/* ---------- Word ---------- */

function wordApi(version) {
  return Boolean(Office.context.requirements && Office.context.requirements.isSetSupported("WordApi", version));
}

/** The paragraph the cursor (or the start of the selection) is in: text and list label. */
async function selectedParagraph() {
  return Word.run(async (context) => {
    const paragraphs = context.document.getSelection().paragraphs;
    paragraphs.load("items/text,items/isListItem");
    await context.sync();
    const first = paragraphs.items[0];
    if (!first) return null;
    let listString = "";
    if (first.isListItem) {
      const item = first.listItemOrNullObject;
      item.load("listString");
      await context.sync();
      if (!item.isNullObject) listString = item.listString;
    }
    return { text: first.text, isListItem: first.isListItem, listString };
  });
}

async function trackingMode() {
  return Word.run(async (context) => {
    context.document.load("changeTrackingMode");
    await context.sync();
    return context.document.changeTrackingMode;
  });
}

async function setTrackAll() {
  return Word.run(async (context) => {
    context.document.changeTrackingMode = "TrackAll";
    await context.sync();
  });
}

/** Add a Word comment whose whole text is the stance word, on the selected text. */
async function commentSelection(stance) {
  return Word.run(async (context) => {
    const selection = context.document.getSelection();
    selection.load("text");
    await context.sync();
    if (!selection.text || !selection.text.trim()) return null;
    selection.insertComment(stance);
    await context.sync();
    return selection.text;
  });
}

function getFile(sliceSize) {
  return new Promise((resolve, reject) => {
    Office.context.document.getFileAsync(Office.FileType.Compressed, { sliceSize }, (result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else reject(new Error("Word could not hand over the document: " + (result.error && result.error.message)));
    });
  });
}

function getSlice(file, index) {
  return new Promise((resolve, reject) => {
    file.getSliceAsync(index, (result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else reject(new Error("Word could not read part " + (index + 1) + " of the document: " + (result.error && result.error.message)));
    });
  });
}

/** The whole document as .docx bytes, slice by slice in order; always closes the file. */
async function documentBytes(onSlice) {
  const file = await getFile(SLICE_SIZE);
  try {
    const chunks = [];
    let total = 0;
    for (let i = 0; i < file.sliceCount; i++) {
      const slice = await getSlice(file, i);
      const chunk = slice.data instanceof Uint8Array ? slice.data : Uint8Array.from(slice.data);
      chunks.push(chunk);
      total += chunk.length;
      onSlice(i + 1, file.sliceCount);
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) { bytes.set(chunk, at); at += chunk.length; }
    return bytes;
  } finally {
    /* More than two open files make getFileAsync fail until Word restarts. */
    file.closeAsync(() => {});
  }
}

function documentFilename() {
  const url = (Office.context.document && Office.context.document.url) || "";
  const last = decodeURIComponent(url.split(/[\\/]/).pop() || "").split("?")[0];
  return /\.docx$/i.test(last) ? last : (last ? last.replace(/\.[^.]*$/, "") + ".docx" : "submission.docx");
}

function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

async function openInWord(buffer) {
  const base64 = toBase64(buffer);
  return Word.run(async (context) => {
    context.application.createDocument(base64).open();
    await context.sync();
  });
}

/* ---------- the pane ---------- */

class Pane {
  constructor() {
    this.token = null;
    this.me = null;
    this.paragraphs = [];
    this.canTrack = false;
    this.refreshing = null;
    this.pendingRefresh = false;
  }

  start() {
    $("sign-in-form").addEventListener("submit", (e) => { e.preventDefault(); this.signIn($("token").value.trim()); });
    $("sign-out").addEventListener("click", () => this.signOut());
    $("tracking-on").addEventListener("click", () => this.switchTrackingOn());
    for (const button of document.querySelectorAll("#stances button")) {
      button.addEventListener("click", () => this.addStance(button.dataset.stance));
    }
    $("submit").addEventListener("click", () => this.confirmSubmit());
    $("open-consolidated").addEventListener("click", () => this.openConsolidated());
    $("merge").addEventListener("click", () => this.mergeAndOpen());
    $("refresh-submissions").addEventListener("click", () => this.loadSubmissions());
    Office.context.document.addHandlerAsync(Office.EventType.DocumentSelectionChanged, () => this.refreshParagraph());
    const saved = window.localStorage.getItem(TOKEN_KEY);
    if (saved) this.signIn(saved, true); else show("sign-in");
  }

  async signIn(token, remembered) {
    $("sign-in-error").hidden = true;
    if (!token) return;
    $("sign-in-button").disabled = true;
    try {
      const me = readMe(await (await api(token, "/api/me")).json());
      this.token = token;
      this.me = me;
      await this.loadRound();
      window.localStorage.setItem(TOKEN_KEY, token);
      $("sign-out").hidden = false;
      const round = me.roundNumber ? "Round " + me.roundNumber : "";
      $("context-line").textContent = [me.role === "secretariat" ? "Secretariat" : me.delegation, me.symbol || me.negotiation, round].filter(Boolean).join(" \u00b7 ");
      $("footer").textContent = "Signed in as " + (me.role === "secretariat" ? "the secretariat" : "the delegation of " + me.delegation) + (me.negotiation ? " \u00b7 " + me.negotiation : "");
      if (me.role === "secretariat") await this.startSecretariat();
      else await this.startDelegate();
    } catch (error) {
      if (remembered) window.localStorage.removeItem(TOKEN_KEY);
      show("sign-in");
      const message = error.status === 401 || error.status === 403
        ? "This token is not valid (or no longer valid). Check the invitation from the secretariat."
        : "Could not sign in: " + error.message;
      $("sign-in-error").textContent = message;
      $("sign-in-error").hidden = false;
    } finally {
      $("sign-in-button").disabled = false;
    }
  }

  /** The round the pane works on: the delegation's current round, or for the secretariat the
   * current round of the latest negotiation; fills in its number and publication. */
  async loadRound() {
    if (this.me.round === null && this.me.role === "secretariat") {
      const negotiations = await (await api(this.token, "/api/negotiations")).json();
      const latest = negotiations.filter((n) => n.current_round !== null).pop();
      if (latest) {
        this.me.round = latest.current_round;
        this.me.negotiation = latest.title;
        this.me.symbol = latest.symbol;
      }
    }
    if (this.me.round === null) return;
    const round = await (await api(this.token, "/api/rounds/" + this.me.round)).json();
    this.me.roundNumber = round.number;
    this.me.published = Boolean(round.published);
  }

  signOut() {
    window.localStorage.removeItem(TOKEN_KEY);
    this.token = null;
    this.me = null;
    $("token").value = "";
    $("sign-out").hidden = true;
    $("context-line").textContent = "Negotiation drafts, together";
    $("footer").textContent = "Concord \u00b7 compilation texts with every proposal attributed";
    show("sign-in");
  }

  /* ----- delegate ----- */

  async startDelegate() {
    show("delegate");
    this.canTrack = wordApi("1.4");
    $("tracking-unsupported").hidden = this.canTrack;
    for (const button of document.querySelectorAll("#stances button")) button.disabled = !this.canTrack;
    if (this.canTrack) {
      /* Proposals are attributed through Track Changes: switch it on as the delegate starts. */
      try {
        if ((await trackingMode()) === "Off") await setTrackAll();
      } catch (error) {
        this.say("tracking-status", "Could not switch Track Changes on: " + error.message);
      }
      await this.checkTracking();
    }
    await this.loadParagraphs();
    await this.refreshParagraph();
  }

  async loadParagraphs() {
    if (this.me.round === undefined || this.me.round === null) return;
    try {
      const body = await (await api(this.token, "/api/rounds/" + this.me.round + "/paragraphs")).json();
      this.paragraphs = Array.isArray(body) ? body : body.paragraphs || [];
      /* Before publication a delegation sees only its own proposals; after, everyone's. */
      $("proposals-heading").textContent = body.merged ? "Proposals here (consolidated draft)" : "Your delegation's proposals here";
    } catch (error) {
      this.paragraphs = [];
      $("paragraph-text").textContent = "Could not load the round's paragraphs: " + error.message;
    }
  }

  async checkTracking() {
    if (!this.canTrack) return;
    try {
      const mode = await trackingMode();
      const off = mode === "Off";
      $("tracking-warning").hidden = !off;
      $("tracking-status").hidden = off;
      $("tracking-status").textContent = off ? "" : "\u2713 Track Changes is on: your edits are proposals of " + this.me.delegation + ".";
      $("tracking-status").className = "status-line ok";
    } catch (error) {
      this.say("tracking-status", "Could not read the Track Changes setting: " + error.message);
    }
  }

  async switchTrackingOn() {
    try {
      await setTrackAll();
    } catch (error) {
      this.say("tracking-status", "Could not switch Track Changes on: " + error.message);
    }
    await this.checkTracking();
  }

  say(id, text, ok) {
    const node = $(id);
    node.hidden = false;
    node.textContent = text;
    node.className = "status-line" + (ok ? " ok" : "");
  }

  /** Re-read the selected paragraph; selection events can arrive in bursts, so runs never overlap. */
  async refreshParagraph() {
    if (!this.me || this.me.role !== "delegation") return;
    if (this.refreshing) { this.pendingRefresh = true; return; }
    this.refreshing = true;
    try {
      do {
        this.pendingRefresh = false;
        const paragraph = await selectedParagraph();
        this.showParagraph(paragraph);
        await this.checkTracking();
      } while (this.pendingRefresh);
    } catch (error) {
      $("paragraph-text").textContent = "Could not read the selection: " + error.message;
    } finally {
      this.refreshing = null;
    }
  }

  showParagraph(paragraph) {
    const idNode = $("paragraph-id");
    const list = $("paragraph-proposals");
    list.replaceChildren();
    if (!paragraph) {
      idNode.textContent = "\u2014";
      idNode.className = "identifier none";
      $("paragraph-text").textContent = "Click in the draft to see the paragraph.";
      return;
    }
    const found = identify(paragraph, this.paragraphs);
    idNode.className = "identifier" + (found.id ? "" : " none");
    idNode.textContent = found.id || "No identifier";
    if (found.source === "text") idNode.append(el("span", { class: "id-source" }, "(matched by text)"));
    $("paragraph-text").textContent = paragraph.text || "(empty paragraph)";
    const known = found.id ? this.paragraphs.find((p) => p.id === found.id) : null;
    const items = [];
    for (const p of (known && known.proposals) || []) items.push(el("li", {}, ...describeProposal(p)));
    for (const s of (known && known.stances) || []) items.push(el("li", {}, ...describeStance(s)));
    if (!found.id) items.push(el("li", { class: "muted" }, "A title, chapeau or new text: proposals here are attributed to the nearest paragraph."));
    else if (!items.length) items.push(el("li", { class: "muted" }, "None yet."));
    list.append(...items);
  }

  async addStance(stance) {
    if (!STANCES.includes(stance)) return;
    try {
      const passage = await commentSelection(stance);
      if (passage === null) {
        this.say("stance-status", "Select the words your position is about, then choose the stance.");
        return;
      }
      this.say("stance-status", "\u2713 Comment \u201c" + stance + "\u201d added on " + quote(passage) + ".", true);
    } catch (error) {
      this.say("stance-status", "Word could not add the comment: " + error.message);
    }
  }

  confirmSubmit() {
    const dialog = $("confirm-submit");
    $("confirm-round").textContent = this.me.roundNumber ? "round " + this.me.roundNumber : "the current round";
    dialog.returnValue = "";
    dialog.addEventListener("close", () => { if (dialog.returnValue === "submit") this.submit(); }, { once: true });
    dialog.showModal();
  }

  progress(fraction, label) {
    const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    $("progress").hidden = false;
    $("progress-fill").style.width = percent + "%";
    $("progress-fill").classList.toggle("done", percent === 100);
    const node = $("progress-label");
    node.textContent = label;
    node.setAttribute("aria-valuenow", String(percent));
  }

  async submit() {
    $("submit").disabled = true;
    $("submit-error").hidden = true;
    $("reading").hidden = true;
    try {
      this.progress(0, "Reading the document from Word\u2026");
      const bytes = await documentBytes((i, n) => this.progress(i / n, "Reading the document: part " + i + " of " + n));
      const url = "/api/rounds/" + this.me.round + "/submissions";
      this.progress(0, "Uploading: 0 %");
      const reading = await upload(this.token, url, bytes, documentFilename(), (f) => {
        this.progress(f, "Uploading: " + Math.round(f * 100) + " %");
      });
      this.progress(1, "Sent: 100 % \u00b7 " + Math.round(bytes.length / 1024) + " KB received by the secretariat");
      await this.showReading(reading);
    } catch (error) {
      $("submit-error").textContent = "The submission was not sent: " + error.message;
      $("submit-error").hidden = false;
      $("progress").hidden = true;
    } finally {
      $("submit").disabled = false;
    }
  }

  /** The backend's reading of the submission: warnings first, then proposals per paragraph. */
  async showReading(reading) {
    const warnings = $("reading-warnings");
    const byParagraph = $("reading-paragraphs");
    warnings.replaceChildren();
    byParagraph.replaceChildren();
    for (const w of reading.warnings || []) warnings.append(el("li", { role: "alert" }, typeof w === "string" ? w : w.message || JSON.stringify(w)));
    let paragraphs = Array.isArray(reading.proposals) ? reading.proposals : Array.isArray(reading.paragraphs) ? reading.paragraphs : null;
    if (!paragraphs) {
      /* The reply only counts proposals: the round's paragraphs now include this submission's. */
      await this.loadParagraphs();
      const mine = this.me.delegation;
      paragraphs = this.paragraphs
        .map((p) => Object.assign({}, p, { proposals: (p.proposals || []).filter((q) => !mine || (q.delegations || []).includes(mine)) }))
        .filter((p) => p.proposals.length || (p.stances || []).length);
    } else {
      await this.loadParagraphs();
    }
    const counted = paragraphs.reduce((n, p) => n + (p.proposals ? p.proposals.length : p.kind ? 1 : 0), 0);
    const count = typeof reading.proposal_count === "number" ? reading.proposal_count : counted;
    const draftStances = (reading.stances || []).map((st) => ({ id: "Whole draft", stances: [st] }));
    const grouped = groupByParagraph(paragraphs.concat(draftStances));
    const stanceCount = grouped.reduce((n, g) => n + g.stances.length, 0);
    const touched = grouped.filter((g) => g.id !== "Whole draft").length;
    $("reading-title").textContent = (reading.delegation || this.me.delegation || "Your delegation") + " \u2014 " +
      plural(count, "proposal") + (stanceCount ? " and " + plural(stanceCount, "stance") : "") + " in " + plural(touched, "paragraph");
    if (reading.tracked === false && !(reading.warnings || []).length) {
      warnings.append(el("li", { role: "alert" }, "Track Changes was off for some edits: they were compared against the base draft."));
    }
    for (const group of grouped) {
      const items = el("ul");
      for (const p of group.proposals) items.append(el("li", {}, ...describeProposal(p)));
      for (const s of group.stances) items.append(el("li", {}, ...describeStance(s)));
      byParagraph.append(el("div", { class: "reading-paragraph" }, el("strong", {}, group.id), items));
    }
    if (!grouped.length) byParagraph.append(el("p", { class: "muted" }, "No proposals were found in this document."));
    $("reading").hidden = false;
    $("reading").scrollIntoView({ block: "nearest" });
    /* The paragraph card now knows this submission's proposals too. */
    await this.refreshParagraph();
  }

  async openConsolidated() {
    this.say("consolidated-status", "Fetching the consolidated draft\u2026");
    try {
      const response = await api(this.token, "/api/rounds/" + this.me.round + "/consolidated?mode=compilation");
      await openInWord(await response.arrayBuffer());
      this.say("consolidated-status", "\u2713 The consolidated draft opened in a new Word window.", true);
    } catch (error) {
      const text = error.status === 403 || error.status === 404 || error.status === 409
        ? "The consolidated draft is not published yet. The secretariat will publish it when the round closes."
        : "Could not open the consolidated draft: " + error.message;
      this.say("consolidated-status", text);
    }
  }

  /* ----- secretariat ----- */

  async startSecretariat() {
    show("secretariat");
    await this.loadSubmissions();
  }

  async loadSubmissions() {
    const list = $("submissions");
    try {
      const body = await (await api(this.token, "/api/rounds/" + this.me.round + "/submissions")).json();
      const submissions = Array.isArray(body) ? body : body.submissions || [];
      list.replaceChildren();
      for (const s of submissions) {
        const count = typeof s.proposals === "number" ? s.proposals : (s.proposals || []).length;
        const item = el("li", {}, el("b", {}, s.delegation || "Unattributed"), " \u2014 " + plural(count, "proposal"));
        for (const w of s.warnings || []) item.append(el("div", { class: "muted" }, "\u26a0 " + (typeof w === "string" ? w : w.message)));
        list.append(item);
      }
      if (!submissions.length) list.append(el("li", { class: "muted" }, "No submissions yet."));
    } catch (error) {
      list.replaceChildren(el("li", {}, "Could not load the submissions: " + error.message));
    }
  }

  async mergeAndOpen() {
    $("merge").disabled = true;
    $("merge-status").textContent = "";
    const fill = $("merge-fill");
    fill.classList.remove("done");
    const label = $("merge-label");
    $("merge-progress").hidden = false;
    try {
      const started = await (await api(this.token, "/api/rounds/" + this.me.round + "/merge", { method: "POST" })).json();
      const jobId = started.job;
      for (;;) {
        const job = await (await api(this.token, "/api/jobs/" + jobId)).json();
        const percent = Math.round(job.progress || 0);
        fill.style.width = percent + "%";
        label.textContent = (job.message || "Merging") + ": " + percent + " %";
        if (job.state === "done") break;
        if (job.state === "failed") throw new Error(job.error || job.message || "the merge failed");
        await new Promise((r) => setTimeout(r, 500));
      }
      fill.style.width = "100%";
      fill.classList.add("done");
      label.textContent = "Merged: 100 %";
      const response = await api(this.token, "/api/rounds/" + this.me.round + "/consolidated?mode=tracked");
      await openInWord(await response.arrayBuffer());
      this.say("merge-status", "\u2713 The consolidated draft (tracked rendering) opened in a new Word window.", true);
      await this.loadSubmissions();
    } catch (error) {
      this.say("merge-status", "Merge failed: " + error.message);
    } finally {
      $("merge").disabled = false;
    }
  }
}

/** Proposals (or paragraph entries with proposals) grouped by paragraph identifier, in order. */
function groupByParagraph(entries) {
  const groups = [];
  const byId = new Map();
  for (const entry of entries) {
    const id = entry.id || entry.paragraph || entry.paragraph_id || "(whole draft)";
    if (!byId.has(id)) { const g = { id, proposals: [], stances: [] }; byId.set(id, g); groups.push(g); }
    const group = byId.get(id);
    if (Array.isArray(entry.proposals)) group.proposals.push(...entry.proposals); else if (entry.kind) group.proposals.push(entry);
    if (Array.isArray(entry.stances)) group.stances.push(...entry.stances);
  }
  return groups.filter((g) => g.proposals.length || g.stances.length);
}

function outsideOffice() {
  show("outside-office");
}

function boot() {
  if (typeof Office === "undefined" || typeof Office.onReady !== "function") { outsideOffice(); return; }
  Office.onReady((info) => {
    /* In a plain browser office.js loads but reports no host. */
    if (!info || info.host !== Office.HostType.Word) { outsideOffice(); return; }
    new Pane().start();
  });
}

if (typeof window !== "undefined") window.addEventListener("DOMContentLoaded", boot);
