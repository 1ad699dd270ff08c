/* Everything the task pane asks of Word and Office.js, in one place.
 *
 * WordApi 1.3 (the manifest's minimum): paragraphs and their list labels, createDocument.
 * WordApi 1.4, only after wordApi("1.4"): changeTrackingMode and insertComment.
 * Common API: getFileAsync (compressed, in slices), DocumentSelectionChanged.
 * Plain script, no build step: globals used by taskpane.js. */
"use strict";

/* 64 KB slices: the iPad maximum, so one size works everywhere; Word hands them over quickly. */
const SLICE_SIZE = 65536;

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

/** The document's file name as the delegate knows it ("L5 ICT draft (2).docx"), from its path or
 * URL (OneDrive/SharePoint URLs are percent-encoded and carry a query); "submission.docx" if unsaved. */
function documentFilename() {
  const url = ((Office.context.document && Office.context.document.url) || "").split(/[?#]/)[0];
  let last = url.split(/[\\/]/).pop() || "";
  try { last = decodeURIComponent(last); } catch (_) { /* a literal "%" in a local file name */ }
  if (!last) return "submission.docx";
  return /\.docx$/i.test(last) ? last : last.replace(/\.[^.]*$/, "") + ".docx";
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
