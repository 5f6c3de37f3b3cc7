// Upload: drag and drop many recordings plus an optional metadata CSV; per-file upload and processing bars.
import { ApiError, api, findPath, uploadForm } from "../api.js";
import { h, progressBar } from "../dom.js";
import { label, t } from "../i18n.js";
import { callUrl, onLeave, toast } from "../ui.js";
import { csvErrorList } from "./crm.js";

const FIELDS = ["call_id", "agent", "started_at", "channels", "customer_id", "caller_number"];
const FINAL = new Set(["done", "failed", "dead"]);
// How far along the pipeline each status is, and how much of the bar its own stage_progress fills.
const STAGES = { queued: [0, 0.05], decoding: [0.05, 0.1], transcribing: [0.15, 0.65], analysing: [0.8, 0.2] };
const PARALLEL_UPLOADS = 2;
const POLL_MS = 1500;

// Kept across visits to the page within the tab, so that leaving and coming back keeps the list.
const state = { items: [], metadata: new Map(), csvName: null, csvErrors: [] };

function processingFraction(call) {
  if (call.status === "done") return 1;
  const stage = STAGES[call.status];
  if (!stage) return 0;
  const progress = Math.min(1, Math.max(0, Number(call.stage_progress) || 0));
  return stage[0] + stage[1] * progress;
}

export function renderUpload(view) {
  const list = h("tbody", { id: "upload-list" });
  const csvStatus = h("span", { class: "csv-status", id: "csv-status" });
  const csvErrors = h("div", { class: "csv-errors-box" });
  const fileInput = h("input", {
    type: "file",
    multiple: true,
    id: "upload-files",
    accept: "audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus,.webm",
    onchange: () => {
      addFiles([...fileInput.files]);
      fileInput.value = "";
    },
  });
  const csvInput = h("input", {
    type: "file",
    id: "upload-csv",
    accept: ".csv,text/csv",
    onchange: () => {
      if (csvInput.files[0]) loadCsv(csvInput.files[0]);
      csvInput.value = "";
    },
  });
  const zone = h(
    "div",
    {
      class: "dropzone",
      id: "dropzone",
      tabindex: "0",
      role: "button",
      "aria-label": t("upload.drop"),
      onclick: () => fileInput.click(),
      onkeydown: (event) => {
        if (event.key === "Enter" || event.key === " ") fileInput.click();
      },
      ondragover: (event) => {
        event.preventDefault();
        zone.classList.add("over");
      },
      ondragleave: () => zone.classList.remove("over"),
      ondrop: (event) => {
        event.preventDefault();
        zone.classList.remove("over");
        const files = [...event.dataTransfer.files];
        const csv = files.filter((f) => /\.csv$/i.test(f.name));
        if (csv.length) loadCsv(csv[0]);
        addFiles(files.filter((f) => !/\.csv$/i.test(f.name)));
      },
    },
    h("strong", {}, t("upload.drop")),
    h("span", {}, ` ${t("upload.or")} `),
    h("span", { class: "button-like" }, t("upload.choose")),
  );

  function renderRows() {
    list.replaceChildren(...state.items.map((item) => item.row));
  }

  function metaText(meta) {
    if (!meta) return t("upload.noMeta");
    return FIELDS.filter((k) => meta[k]).map((k) => `${k}=${meta[k]}`).join(" · ");
  }

  function addFiles(files) {
    for (const file of files) {
      const item = {
        file,
        meta: state.metadata.get(file.name) || null,
        state: "pending",
        call: null,
        sendBar: progressBar(t("upload.sending")),
        procBar: progressBar(t("upload.processing")),
        statusCell: h("span", { class: "status" }, t("status.pending")),
        actions: h("span", { class: "actions" }),
        metaCell: h("td", { class: "meta" }),
      };
      item.metaCell.textContent = metaText(item.meta);
      item.row = h(
        "tr",
        { class: "upload-item", "data-file": file.name },
        h("td", { class: "name" }, file.name),
        item.metaCell,
        h("td", { class: "bar-cell" }, item.sendBar),
        h("td", { class: "bar-cell" }, item.procBar),
        h("td", {}, item.statusCell, item.actions),
      );
      state.items.push(item);
    }
    renderRows();
  }

  /** The server reads the CSV (UTF-8 or Shift_JIS, as `voc calls ingest --metadata`): good rows, bad lines. */
  async function loadCsv(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const checked = await uploadForm("calls/metadata", form, () => {});
      const byFile = new Map();
      for (const row of checked.rows) {
        const meta = { ...row, started_at: row.started_at || undefined };
        byFile.set(row.file.split(/[\\/]/).pop(), meta);
      }
      state.metadata = byFile;
      state.csvName = file.name;
      state.csvErrors = checked.errors;
      showCsvStatus();
      for (const item of state.items) {
        if (item.state !== "pending") continue;
        item.meta = state.metadata.get(item.file.name) || null;
        item.metaCell.textContent = metaText(item.meta);
      }
    } catch (error) {
      csvStatus.textContent = t("upload.csvError", { reason: error instanceof ApiError ? error.friendly : error.message });
    }
  }

  function showCsvStatus() {
    const n = state.metadata.size ? new Set(state.metadata.values()).size : 0;
    csvStatus.textContent = state.csvErrors.length
      ? t("upload.csvLoadedWithErrors", { n, bad: state.csvErrors.length })
      : t("upload.csvLoaded", { n });
    csvErrors.replaceChildren(state.csvErrors.length ? csvErrorList("csv-errors", state.csvErrors) : "");
  }

  function setStatus(item, text, kind = "") {
    item.statusCell.textContent = text;
    item.statusCell.className = `status ${kind}`;
    item.row.dataset.state = item.state;
  }

  function showActions(item) {
    item.actions.replaceChildren();
    if (item.call) item.actions.append(h("a", { href: callUrl(item.call.id), class: "open-call" }, t("upload.open")));
    if (item.state === "upload-failed" || item.state === "failed" || item.state === "dead") {
      item.actions.append(h("button", { type: "button", class: "retry", onclick: () => retry(item) }, t("upload.retry")));
    }
  }

  async function uploadOne(item) {
    item.state = "uploading";
    item.sendBar.value = 0;
    item.procBar.value = 0;
    setStatus(item, t("status.uploading"));
    showActions(item);
    const form = new FormData();
    form.append("file", item.file, item.file.name);
    for (const key of FIELDS) if (item.meta?.[key]) form.append(key, item.meta[key]);
    try {
      const accepted = await uploadForm("calls", form, (fraction) => {
        item.sendBar.value = fraction;
      });
      item.call = { id: accepted.id, status: accepted.status };
      item.state = "processing";
      setStatus(item, label("status", accepted.status));
      if (accepted.duplicate) toast(t("upload.duplicate", { id: accepted.id }));
      else if (accepted.shares_audio_with) toast(t("upload.sharedAudio", { id: accepted.id, other: accepted.shares_audio_with }));
      await pollOne(item);
    } catch (error) {
      item.state = "upload-failed";
      setStatus(item, `${t("status.uploadFailed")}: ${error instanceof ApiError ? error.friendly : error}`, "bad");
    }
    showActions(item);
  }

  async function pollOne(item) {
    if (!item.call) return;
    try {
      const call = await api(`calls/${item.call.id}`);
      item.call = call;
      item.procBar.value = processingFraction(call);
      const reason = call.failure ? t(`failure.${call.failure.code}`) : call.error;
      const text = label("status", call.status) + (reason && call.status !== "done" ? `: ${reason}` : "");
      if (FINAL.has(call.status)) {
        item.state = call.status;
        setStatus(item, text, call.status === "done" ? "good" : "bad");
        showActions(item);
      } else {
        setStatus(item, text);
      }
    } catch (error) {
      setStatus(item, error instanceof ApiError ? error.friendly : String(error), "bad");
    }
  }

  async function retry(item) {
    if (item.state === "failed" || item.state === "dead") {
      const path = await findPath(/^\/api\/v1\/calls\/\{[^}]+\}\/retry$/, "post");
      if (path) {
        try {
          await api(`calls/${item.call.id}/retry`, { method: "POST" });
          item.state = "processing";
          setStatus(item, label("status", "queued"));
          showActions(item);
          return;
        } catch (error) {
          toast(error instanceof ApiError ? error.friendly : String(error), "error");
          return;
        }
      }
      toast(t("upload.noRetryRoute"));
    }
    await uploadOne(item);
  }

  async function startAll() {
    const pending = state.items.filter((item) => item.state === "pending");
    if (!pending.length) {
      toast(t("upload.empty"));
      return;
    }
    const queue = [...pending];
    const lane = async () => {
      while (queue.length) await uploadOne(queue.shift());
    };
    await Promise.all(Array.from({ length: PARALLEL_UPLOADS }, lane));
  }

  const timer = setInterval(() => {
    for (const item of state.items) if (item.state === "processing") pollOne(item);
  }, POLL_MS);
  onLeave(() => clearInterval(timer));

  view.append(
    h(
      "section",
      { class: "panel" },
      h("h1", {}, t("upload.title")),
      zone,
      fileInput,
      h(
        "div",
        { class: "csv-row" },
        h("label", { for: "upload-csv" }, t("upload.csv")),
        csvInput,
        csvStatus,
        csvErrors,
        h("p", { class: "help" }, t("upload.csvHelp")),
      ),
      h(
        "div",
        { class: "toolbar" },
        h("button", { type: "button", class: "primary", id: "upload-start", onclick: startAll }, t("upload.start")),
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              state.items = state.items.filter((item) => item.state !== "done");
              renderRows();
            },
          },
          t("upload.clear"),
        ),
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "uploads" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, t("upload.file")),
              h("th", {}, t("upload.meta")),
              h("th", {}, t("upload.sending")),
              h("th", {}, t("upload.processing")),
              h("th", {}, t("calls.status")),
            ),
          ),
          list,
        ),
      ),
    ),
  );
  if (state.csvName) showCsvStatus();
  renderRows();
}
