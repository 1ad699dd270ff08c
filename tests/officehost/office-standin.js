/* A local stand-in of the Office host for browser tests, served in place of
 * https://appsforoffice.microsoft.com/lib/1/hosted/office.js (Playwright context.route).
 *
 * It implements the calls Concord's task pane makes, with Office.js's rules where they matter:
 * proxy properties are readable only after load() + context.sync() (else PropertyNotLoaded),
 * queued writes happen at sync(), WordApi 1.4 members are missing below 1.4, getFileAsync honours
 * sliceSize (max 4 MB) and fails with more than two files open, slices are byte arrays.
 *
 * The test configures it before the page loads (page.add_init_script) with window.__concordHost:
 *   { host: "Word" | null, wordApi: "1.4", url, trackingMode: "Off",
 *     paragraphs: [{text, isListItem, listString}], selection: {paragraph, start, end},
 *     fileBase64 }
 * and drives it through window.__officeHost: select(paragraph, start, end), setFile(base64),
 * calls (everything the pane did: comments, tracking modes, slices, created documents).
 */
(function () {
  "use strict";
  const config = window.__concordHost || {};
  const state = {
    paragraphs: config.paragraphs || [],
    selection: config.selection || { paragraph: 0, start: 0, end: 0 },
    trackingMode: config.trackingMode || "Off",
    file: config.fileBase64 ? base64ToBytes(config.fileBase64) : new Uint8Array(0),
    openFiles: 0,
    handlers: [],
  };
  const calls = { comments: [], trackingModes: [], slices: [], fileRequests: [], createdDocuments: [], closedFiles: 0, syncs: 0 };

  function base64ToBytes(b64) {
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function versionAtLeast(have, want) {
    const a = String(have).split(".").map(Number);
    const b = String(want).split(".").map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
    }
    return true;
  }
  const wordApi = config.wordApi || "1.4";
  const has14 = versionAtLeast(wordApi, "1.4");

  function officeError(code, message) {
    const error = new Error(message);
    error.code = code;
    error.name = "OfficeExtension.Error";
    return error;
  }

  /* ---- Word proxies: values become readable only after load() and sync(). ---- */

  class Proxy {
    constructor(context) { this.context = context; this._loaded = new Set(); this._pending = new Set(); }
    load(props) {
      const list = Array.isArray(props) ? props : String(props || "").split(",");
      for (const p of list) if (p.trim()) this._pending.add(p.trim());
      this.context._track(this);
      return this;
    }
    _resolve() { for (const p of this._pending) this._loaded.add(p); this._pending.clear(); }
    _get(name, value) {
      if (!this._loaded.has(name)) {
        throw officeError("PropertyNotLoaded", "The property '" + name + "' is not available. Before reading the property's value, call the load method on the containing object and call \"context.sync()\" on the associated request context.");
      }
      return value;
    }
  }

  class ListItem extends Proxy {
    constructor(context, paragraph) { super(context); this.paragraph = paragraph; }
    get isNullObject() { return this._get("isNullObject", !this.paragraph.isListItem); }
    get listString() {
      if (!this.paragraph.isListItem) throw officeError("ItemNotFound", "ItemNotFound");
      return this._get("listString", this.paragraph.listString || "");
    }
    _resolve() { super._resolve(); this._loaded.add("isNullObject"); }
  }

  class Paragraph extends Proxy {
    constructor(context, index) { super(context); this.index = index; }
    get data() { return state.paragraphs[this.index]; }
    get text() { return this._get("text", this.data.text); }
    get isListItem() { return this._get("isListItem", Boolean(this.data.isListItem)); }
    get listItemOrNullObject() { return new ListItem(this.context, this.data); }
    get style() { return this._get("style", this.data.style || "Normal"); }
  }

  class ParagraphCollection extends Proxy {
    constructor(context, indexes) {
      super(context);
      this._items = indexes.map((i) => new Paragraph(context, i));
    }
    load(props) {
      /* "items/text,items/isListItem", "items", "text,isListItem": all load the items' properties. */
      const list = Array.isArray(props) ? props : String(props || "").split(",");
      const names = list.map((p) => p.trim().replace(/^items\/?/, "")).filter(Boolean);
      for (const item of this._items) item.load(names.length ? names : ["text", "isListItem", "style"]);
      return super.load(["items"]);
    }
    get items() { return this._get("items", this._items); }
  }

  class Comment extends Proxy {
    constructor(context, content) { super(context); this._content = content; }
    get content() { return this._get("content", this._content); }
  }

  class Range extends Proxy {
    constructor(context, selection) { super(context); this.selection = Object.assign({}, selection); }
    get text() {
      const p = state.paragraphs[this.selection.paragraph];
      return this._get("text", p ? p.text.slice(this.selection.start, this.selection.end) : "");
    }
    get paragraphs() { return new ParagraphCollection(this.context, [this.selection.paragraph]); }
    insertComment(text) {
      if (!has14) throw officeError("ApiNotFound", "insertComment needs WordApi 1.4");
      const selection = this.selection;
      this.context._queue(() => {
        const p = state.paragraphs[selection.paragraph];
        calls.comments.push({
          paragraph: selection.paragraph, start: selection.start, end: selection.end,
          anchor: p.text.slice(selection.start, selection.end), text: String(text),
        });
      });
      return new Comment(this.context, String(text));
    }
  }

  class Body extends Proxy {
    get paragraphs() { return new ParagraphCollection(this.context, state.paragraphs.map((_, i) => i)); }
  }

  class WordDocument extends Proxy {
    get body() { return new Body(this.context); }
    getSelection() { return new Range(this.context, state.selection); }
    get changeTrackingMode() {
      if (!has14) return undefined;
      return this._get("changeTrackingMode", state.trackingMode);
    }
    set changeTrackingMode(mode) {
      if (!has14) throw officeError("ApiNotFound", "changeTrackingMode needs WordApi 1.4");
      if (!["Off", "TrackAll", "TrackMineOnly"].includes(mode)) throw officeError("InvalidArgument", "InvalidArgument: " + mode);
      this.context._queue(() => { state.trackingMode = mode; calls.trackingModes.push(mode); });
    }
  }

  class Application extends Proxy {
    createDocument(base64) {
      const context = this.context;
      return {
        open() { context._queue(() => calls.createdDocuments.push(base64 || "")); },
      };
    }
  }

  class RequestContext {
    constructor() {
      this._tracked = [];
      this._ops = [];
      this.document = new WordDocument(this);
      this.application = new Application(this);
    }
    _track(proxy) { this._tracked.push(proxy); }
    _queue(op) { this._ops.push(op); }
    sync() {
      calls.syncs += 1;
      const ops = this._ops.splice(0);
      const tracked = this._tracked.splice(0);
      /* Word answers asynchronously: resolve on a later task, like a round trip. */
      return new Promise((resolve, reject) => setTimeout(() => {
        try {
          for (const op of ops) op();
          for (const proxy of tracked) proxy._resolve();
          resolve();
        } catch (error) { reject(error); }
      }, 5));
    }
  }

  const Word = {
    run(batch) {
      const context = new RequestContext();
      return Promise.resolve().then(() => batch(context));
    },
  };

  /* ---- Office common API ---- */

  const AsyncResultStatus = { Succeeded: "succeeded", Failed: "failed" };
  const FileType = { Compressed: "compressed", Pdf: "pdf", Text: "text" };
  const EventType = { DocumentSelectionChanged: "documentSelectionChanged" };
  const MAX_SLICE = 4194304;

  function later(callback, result) { setTimeout(() => callback(result), 5); }
  function failed(code, message) { return { status: AsyncResultStatus.Failed, error: { code, message } }; }

  const officeDocument = {
    url: config.url || "C:\\Users\\delegate\\Documents\\draft.docx",
    getFileAsync(fileType, options, callback) {
      if (typeof options === "function") { callback = options; options = {}; }
      const sliceSize = (options && options.sliceSize) || MAX_SLICE;
      calls.fileRequests.push({ fileType, sliceSize });
      if (fileType !== FileType.Compressed) return later(callback, failed(5001, "Only Compressed is served by the stand-in"));
      if (sliceSize > MAX_SLICE || sliceSize < 1) return later(callback, failed(5001, "sliceSize must be at most 4194304"));
      if (state.openFiles >= 2) return later(callback, failed(11001, "Too many files are open: call closeAsync"));
      state.openFiles += 1;
      const bytes = state.file;
      let closed = false;
      const file = {
        size: bytes.length,
        sliceCount: Math.max(1, Math.ceil(bytes.length / sliceSize)),
        getSliceAsync(index, cb) {
          if (closed || index < 0 || index >= file.sliceCount) return later(cb, failed(5002, "No slice " + index));
          calls.slices.push(index);
          const chunk = bytes.subarray(index * sliceSize, Math.min(bytes.length, (index + 1) * sliceSize));
          /* Office hands slices over as plain arrays of byte values. */
          later(cb, { status: AsyncResultStatus.Succeeded, value: { index, size: chunk.length, data: Array.from(chunk) } });
        },
        closeAsync(cb) {
          if (!closed) { closed = true; state.openFiles -= 1; calls.closedFiles += 1; }
          if (cb) later(cb, { status: AsyncResultStatus.Succeeded });
        },
      };
      later(callback, { status: AsyncResultStatus.Succeeded, value: file });
    },
    addHandlerAsync(eventType, handler, callback) {
      if (eventType === EventType.DocumentSelectionChanged) state.handlers.push(handler);
      if (typeof callback === "function") later(callback, { status: AsyncResultStatus.Succeeded });
    },
  };

  const Office = {
    HostType: { Word: "Word", Excel: "Excel", PowerPoint: "PowerPoint", Outlook: "Outlook" },
    AsyncResultStatus,
    FileType,
    EventType,
    context: {
      document: officeDocument,
      requirements: {
        isSetSupported(name, version) {
          if (name === "WordApi") return versionAtLeast(wordApi, version || "1.1");
          return false;
        },
      },
    },
    onReady(callback) {
      const info = { host: config.host === null ? null : "Word", platform: config.host === null ? null : "PC" };
      return new Promise((resolve) => setTimeout(() => { if (callback) callback(info); resolve(info); }, 10));
    },
  };

  window.Office = Office;
  window.Word = Word;
  window.__officeHost = {
    calls,
    state,
    /** Move the cursor (or a selection) and tell the pane, as Word does. */
    select(paragraph, start, end) {
      state.selection = { paragraph, start: start || 0, end: end === undefined ? (start || 0) : end };
      for (const handler of state.handlers) setTimeout(() => handler({ type: EventType.DocumentSelectionChanged }), 0);
    },
    /** The document's bytes from now on (after the test put the pane's comment into the file). */
    setFile(base64) { state.file = base64ToBytes(base64); },
    /** The delegate switches Track Changes off in the ribbon. */
    setTrackingMode(mode) { state.trackingMode = mode; },
  };
})();
