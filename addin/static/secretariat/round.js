// The round page: drag-and-drop upload, merge with a progress bar, status editing, and the
// paragraphs of one delegation.
// Every request goes to the JSON API with the session cookie and the page's CSRF token.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function api(method, url, body, headers) {
    var h = Object.assign({ "X-CSRF-Token": csrf, "Accept": "application/json" }, headers || {});
    return fetch(url, { method: method, body: body, headers: h, credentials: "same-origin" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) {
            var error = new Error(data.message || ("HTTP " + r.status));
            error.data = data;
            throw error;
          }
          return data;
        });
      });
  }

  // --- upload -------------------------------------------------------------------------------
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("file-input");
  var log = document.getElementById("upload-log");

  function note(text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    log.appendChild(li);
    return li;
  }

  function upload(files) {
    var delegation = document.getElementById("delegation").value;
    var pending = Array.prototype.map.call(files, function (file) {
      var form = new FormData();
      form.append("file", file, file.name);
      if (delegation) { form.append("delegation", delegation); }
      var li = note("Sending " + file.name + "…");
      return api("POST", zone.dataset.url, form).then(function (s) {
        li.textContent = file.name + ": " + (s.delegation || "unknown delegation") + " — " +
          s.proposal_count + " proposals" + (s.tracked ? "" : ", Track Changes off") +
          (s.warnings.length ? " (" + s.warnings.join("; ") + ")" : "");
        li.className = "ok";
      }).catch(function (e) {
        li.textContent = e.message;
        li.className = "error-text";
      });
    });
    Promise.all(pending).then(function () {
      note("Done: reloading…");
      window.location.reload();
    });
  }

  if (zone) {
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) { upload(e.dataTransfer.files); });
    input.addEventListener("change", function () { upload(input.files); });
  }

  // --- merge --------------------------------------------------------------------------------
  var mergeButton = document.getElementById("merge");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");

  function poll(url) {
    api("GET", url).then(function (job) {
      bar.style.width = job.progress + "%";
      text.textContent = job.progress + " % — " + job.message;
      if (job.state === "done") {
        text.textContent = "100 % — merged. Reloading…";
        setTimeout(function () { window.location.reload(); }, 1000);
      } else if (job.state === "failed") {
        text.textContent = "Merge failed: " + job.error;
        mergeButton.disabled = false;
      } else {
        setTimeout(function () { poll(url); }, 300);
      }
    }).catch(function (e) { text.textContent = e.message; mergeButton.disabled = false; });
  }

  if (mergeButton) {
    mergeButton.addEventListener("click", function () {
      mergeButton.disabled = true;
      bar.style.width = "0%";
      text.textContent = "0 % — starting";
      api("POST", mergeButton.dataset.url).then(function (r) { poll(r.url); })
        .catch(function (e) {
          // 409: a merge of this round is already running (another officer): follow it.
          if (e.data && e.data.url) { poll(e.data.url); return; }
          text.textContent = e.message; mergeButton.disabled = false;
        });
    });
  }

  // --- statuses -----------------------------------------------------------------------------
  document.querySelectorAll(".status-form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var saved = form.querySelector(".saved");
      var value = form.querySelector(".status").value;
      api("PUT", form.dataset.url, JSON.stringify({ status: value }), { "Content-Type": "application/json" })
        .then(function () {
          // The downloads are written by a merge: say so, or the officer circulates a draft without it.
          saved.textContent = (value ? "saved" : "cleared") + " — merge again to put it in the downloads";
          saved.className = "saved ok";
        })
        .catch(function (err) { saved.textContent = err.message; saved.className = "saved error-text"; });
    });
  });

  // --- one delegation's paragraphs ------------------------------------------------------------
  // A click on a delegation (or the select) shows only the paragraphs it touched, its own
  // proposals marked; the paragraph ids come from the server (data-paragraphs, JSON).
  var filter = document.getElementById("delegation-filter");
  var filterNote = document.getElementById("filter-note");

  function showDelegation(name) {
    var option = name ? filter.querySelector('option[value="' + CSS.escape(name) + '"]') : null;
    var ids = option ? JSON.parse(option.dataset.paragraphs) : null;
    filter.value = option ? name : "";
    document.querySelectorAll("#paragraphs article.paragraph").forEach(function (article) {
      article.classList.toggle("filtered-out", ids !== null && ids.indexOf(article.dataset.paragraph) < 0);
    });
    document.querySelectorAll("#paragraphs li.proposal").forEach(function (li) {
      li.classList.toggle("mine", ids !== null && JSON.parse(li.dataset.delegations).indexOf(name) >= 0);
    });
    document.querySelectorAll(".delegation").forEach(function (card) {
      var chosen = ids !== null && card.dataset.delegation === name;
      card.classList.toggle("chosen", chosen);
      card.querySelector("button.pick").setAttribute("aria-pressed", chosen ? "true" : "false");
    });
    if (filterNote) {
      filterNote.hidden = ids === null;
      if (ids !== null) {
        filterNote.querySelector("span").textContent = ids.length
          ? "Showing the " + ids.length + " paragraph" + (ids.length > 1 ? "s " : " ") + name + " touched: " + ids.join(", ") + "."
          : name + " touched no paragraph in this merge.";
      }
    }
  }

  if (filter) {
    filter.addEventListener("change", function () { showDelegation(filter.value); });
    document.querySelectorAll(".delegation button.pick").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.dataset.delegation;
        showDelegation(filter.value === name ? "" : name);  // a second click shows everything again
        if (filter.value && filterNote) { filterNote.scrollIntoView({ behavior: "smooth", block: "start" }); }
      });
    });
    var showAll = document.getElementById("show-all");
    if (showAll) { showAll.addEventListener("click", function () { showDelegation(""); }); }
  }
})();
