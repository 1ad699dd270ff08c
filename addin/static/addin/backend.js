/* Talking to Concord's REST API from the task pane: bearer-token requests, errors as sentences,
 * the upload with progress. Plain script, no build step: globals used by taskpane.js. */
"use strict";

const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const UNREACHABLE = "The secretariat's server could not be reached. Check your connection and try again.";

/** The token in what the delegate pasted: the token itself, or the invitation link that ends
 * with it (https://server/invite/<token>). */
function tokenFrom(pasted) {
  const text = (pasted || "").trim();
  const link = /\/invite\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text);
  return link ? link[1] : text;
}

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
  let response;
  try {
    response = await fetch(path, opts);
  } catch (_) {
    throw new ApiError(0, UNREACHABLE);
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return response;
}

/** The caller as /api/me describes it ({role, name, delegation: {name}, negotiation: {title,
 * symbol}, current_round, round: {number, published}}). For the secretariat the server names the
 * latest negotiation with a round; with no round yet the round fields are null. */
function readMe(me) {
  const round = me.round || null;
  return {
    role: me.role === "secretariat" ? "secretariat" : "delegation",
    delegation: (me.delegation && me.delegation.name) || "",
    negotiation: (me.negotiation && me.negotiation.title) || "",
    symbol: (me.negotiation && me.negotiation.symbol) || "",
    round: me.current_round === undefined ? null : me.current_round,
    roundNumber: round ? round.number : null,
    published: Boolean(round && round.published),
  };
}

/** POST the document with upload progress (fetch has none): resolves to the parsed JSON reply. */
function upload(token, url, bytes, filename, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", "Bearer " + token);
    xhr.setRequestHeader("X-Concord-Client", "addin");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status >= 200 && xhr.status < 300 && body) { onProgress(1); resolve(body); return; }
      const message = (body && (body.message || body.error)) || (xhr.status + " " + xhr.statusText);
      reject(new ApiError(xhr.status, message));
    };
    xhr.onerror = () => reject(new ApiError(0, UNREACHABLE));
    /* Multipart, not a raw body with X-Filename: a header cannot carry "Résolution révisée.docx",
     * a multipart file name can (UTF-8). The browser sets the Content-Type boundary itself. */
    const form = new FormData();
    form.append("file", new Blob([bytes], { type: DOCX_TYPE }), filename);
    xhr.send(form);
  });
}
