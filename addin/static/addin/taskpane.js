/* Concord task pane: plain JavaScript, no build step.
 *
 * Delegate: sign in with the invitation token, see the paragraph identifier under the cursor and
 * the proposals known for it, keep Track Changes on, add stance comments, submit the whole
 * document, read what the secretariat's system understood, open the published consolidated draft.
 * Secretariat: see the round's submissions, merge and open the consolidated draft.
 *
 * The page loads, in order: identifiers.js (paragraph identifiers), backend.js (the REST API),
 * word.js (Word and Office.js calls), then this file (the pane's states and actions).
 */
"use strict";

const TOKEN_KEY = "concord.token";
const STANCES = ["retain", "delete", "reservation", "flexible", "consult with capital"];
const SELECTION_SETTLE_MS = 150;

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

/* ---------- the pane ---------- */

class Pane {
  constructor() {
    this.token = null;
    this.me = null;
    this.paragraphs = [];
    this.canTrack = false;
    this.refreshing = false;
    this.pendingRefresh = false;
  }

  start() {
    $("sign-in-form").addEventListener("submit", (e) => { e.preventDefault(); this.signIn(tokenFrom($("token").value)); });
    $("sign-out").addEventListener("click", () => this.signOut());
    $("tracking-on").addEventListener("click", () => this.switchTrackingOn());
    for (const button of document.querySelectorAll("#stances button")) {
      button.addEventListener("click", () => this.addStance(button.dataset.stance));
    }
    $("submit").addEventListener("click", () => this.confirmSubmit());
    $("open-consolidated").addEventListener("click", () => this.openConsolidated());
    $("merge").addEventListener("click", () => this.mergeAndOpen());
    $("refresh-submissions").addEventListener("click", () => this.loadSubmissions());
    /* Word reports every cursor move and keystroke: wait until the cursor rests a moment. */
    let pending = null;
    Office.context.document.addHandlerAsync(Office.EventType.DocumentSelectionChanged, () => {
      clearTimeout(pending);
      pending = setTimeout(() => this.refreshParagraph(), SELECTION_SETTLE_MS);
    });
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
    if (!this.me.published) this.say("consolidated-status", "Available once the secretariat publishes the round's consolidated draft.");
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
      this.refreshing = false;
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
    idNode.textContent = found.id || (found.source === "new" ? "New paragraph" : "No identifier");
    /* An edited paragraph is recognised by its words: say so, it is a best guess. */
    if (found.source === "text" && !found.exact) idNode.append(el("span", { class: "id-source" }, "(by its text)"));
    $("paragraph-text").textContent = paragraph.text || "(empty paragraph)";
    const known = found.id ? this.paragraphs.find((p) => p.id === found.id) : null;
    const items = [];
    for (const p of (known && known.proposals) || []) items.push(el("li", {}, ...describeProposal(p)));
    for (const s of (known && known.stances) || []) items.push(el("li", {}, ...describeStance(s)));
    if (found.source === "new") items.push(el("li", { class: "muted" }, "A paragraph your delegation is adding: the secretariat gives it the next free identifier after the paragraph before it (for example OP2 bis)."));
    else if (!found.id) items.push(el("li", { class: "muted" }, "A title, chapeau or text without an identifier."));
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
    for (const w of reading.warnings || []) warnings.append(el("li", { role: "alert" }, String(w)));
    /* The reply (POST /api/rounds/<rid>/submissions) lists the paragraphs it touches:
     * {paragraph, proposals, stances}; proposal_count counts the proposals. */
    const paragraphs = Array.isArray(reading.proposals) ? reading.proposals : [];
    const counted = paragraphs.reduce((n, p) => n + (p.proposals || []).length, 0);
    const count = typeof reading.proposal_count === "number" ? reading.proposal_count : counted;
    /* The round's paragraphs now include this submission's proposals (for the paragraph card). */
    await this.loadParagraphs();
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
      /* Every version is listed (oldest first); the latest of each delegation counts. */
      const submissions = body;
      list.replaceChildren();
      for (const s of submissions) {
        const what = s.error ? "could not be read" : plural(s.proposal_count || 0, "proposal");
        const version = s.version > 1 ? " (version " + s.version + ")" : "";
        const item = el("li", {}, el("b", {}, s.delegation || "Unattributed"), version + " \u2014 " + what);
        if (s.error) item.append(el("div", { class: "muted" }, s.error));
        for (const w of s.warnings || []) item.append(el("div", { class: "muted" }, "\u26a0 " + String(w)));
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

/** Paragraph entries of a reading ({paragraph, proposals, stances}) merged by identifier, in order. */
function groupByParagraph(entries) {
  const groups = [];
  const byId = new Map();
  for (const entry of entries) {
    const id = entry.paragraph || entry.id || "Whole draft";
    if (!byId.has(id)) { const g = { id, proposals: [], stances: [] }; byId.set(id, g); groups.push(g); }
    const group = byId.get(id);
    group.proposals.push(...(entry.proposals || []));
    group.stances.push(...(entry.stances || []));
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
