// Customers: the CRM import (CSV in UTF-8 or Shift_JIS, read by the server) and the customer list.
import { ApiError, api, apiBlob, can, uploadForm } from "../api.js";
import { fmtDate, fmtNumber, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { BASE, navigate, toast } from "../ui.js";

/** The rows a CSV check rejected, one line each: "行 3: reason". */
export function csvErrorList(id, errors) {
  return h(
    "ul",
    { class: "csv-errors", id },
    errors.map((e) => h("li", { "data-line": String(e.line) }, t("csv.lineError", { line: e.line, reason: e.reason }))),
  );
}

/** The CRM CSV import: the server decodes it, loads the good rows and names every bad one. */
export function importPanel(onDone) {
  const result = h("div", { class: "import-result", id: "crm-result", "aria-live": "polite" });
  const input = h("input", {
    type: "file",
    id: "crm-file",
    accept: ".csv,text/csv",
    onchange: async () => {
      const file = input.files[0];
      input.value = "";
      if (!file) return;
      result.replaceChildren(h("span", { class: "muted" }, t("crm.importing")));
      const form = new FormData();
      form.append("file", file, file.name);
      try {
        const body = await uploadForm("customers/import", form, () => {});
        result.replaceChildren(
          h(
            "p",
            { class: body.errors.length ? "warn" : "good", id: "crm-summary" },
            t("crm.imported", { created: body.created, updated: body.updated, rejected: body.errors.length }),
          ),
          body.errors.length ? csvErrorList("crm-errors", body.errors) : "",
        );
        if (onDone) onDone();
      } catch (error) {
        result.replaceChildren(h("div", { class: "error", role: "alert" }, error instanceof ApiError ? error.friendly : String(error)));
      }
    },
  });
  return h(
    "section",
    { class: "panel", id: "crm-import" },
    h("h2", {}, t("crm.import")),
    h("label", { for: "crm-file" }, t("crm.file")),
    input,
    h("p", { class: "help" }, t("crm.help")),
    result,
  );
}

const PAGE_SIZE = 50;
const SORTS = ["risk", "fee", "health", "name", "customer_id"];

function healthClass(score) {
  return score >= 70 ? "good" : score >= 40 ? "warn" : "bad";
}

/** "連絡済み · 佐藤 · 2026/12/02 09:00" */
export function followUpText(follow) {
  if (!follow) return t("follow.none");
  return `${t(`follow.${follow.state}`)} · ${follow.by} · ${fmtDate(follow.at)}`;
}

/** Download an API CSV (the key goes in the header, so not a plain link). */
export async function downloadCsv(path, query, filename) {
  const blob = await apiBlob(path, { query: { ...query, format: "csv" } });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, class: "visually-hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The customer list: search (name, id, phone), sort, pages, CSV; the CRM import for those who may write. */
export async function renderCrm(view, { params }) {
  const q = params.get("q") || "";
  const sort = SORTS.includes(params.get("sort")) ? params.get("sort") : "risk";
  const order = params.get("order") === "asc" ? "asc" : "desc";
  const offset = Math.max(0, Number.parseInt(params.get("offset") || "0", 10) || 0);
  const query = { q, sort, order };
  const go = (changes) => {
    const next = new URLSearchParams({ ...query, offset: String(offset), ...changes });
    for (const [k, v] of [...next.entries()]) if (!v || (k === "offset" && v === "0")) next.delete(k);
    navigate(`/crm${next.size ? `?${next}` : ""}`);
  };
  const search = h("input", { type: "search", id: "crm-q", name: "q", value: q, placeholder: t("crm.search") });
  const sortSelect = h(
    "select",
    { id: "crm-sort", name: "sort", "aria-label": t("crm.sort") },
    SORTS.map((key) => h("option", { value: key, selected: key === sort ? "" : null }, t(`crm.sort.${key}`))),
  );
  const orderSelect = h(
    "select",
    { id: "crm-order", name: "order", "aria-label": t("crm.order") },
    ["desc", "asc"].map((key) => h("option", { value: key, selected: key === order ? "" : null }, t(`crm.order.${key}`))),
  );
  const form = h(
    "form",
    {
      class: "toolbar",
      id: "crm-filters",
      onsubmit: (event) => {
        event.preventDefault();
        go({ q: search.value.trim(), sort: sortSelect.value, order: orderSelect.value, offset: "0" });
      },
    },
    search,
    sortSelect,
    orderSelect,
    h("button", { type: "submit", class: "primary" }, t("crm.find")),
    h(
      "button",
      {
        type: "button",
        id: "crm-csv",
        onclick: () => downloadCsv("customers", query, "customers.csv").catch((error) => toast(String(error), "error")),
      },
      t("crm.csv"),
    ),
  );
  const listBox = h("div", { class: "crm-list-box" });
  const section = h("section", { class: "panel" }, h("h1", {}, t("crm.title")), form, listBox);
  // The import first: it is usable while the list is computed, and a finished import refreshes the list only.
  if (can("customers.write")) view.append(importPanel(() => loadList()));
  view.append(section);

  async function loadList() {
    const page = await api("customers", { query: { ...query, limit: PAGE_SIZE, offset } });
    listBox.replaceChildren(...listContent(page));
  }

  function listContent(page) {
    const rows = page.items.map((c) =>
      h(
        "tr",
        { class: "customer-row", "data-customer": c.customer_id },
        h("td", {}, h("a", { href: `${BASE}/customers/${encodeURIComponent(c.customer_id)}` }, c.name || c.customer_id)),
        h("td", { class: "muted" }, c.customer_id),
        h("td", {}, c.plan || "—"),
        h("td", { class: "num fee" }, c.monthly_fee === null ? "—" : `¥${fmtNumber(c.monthly_fee)}`),
        h("td", { class: "num risk" }, fmtNumber(c.risk_score, 2)),
        h("td", { class: "num" }, h("span", { class: `pill ${healthClass(c.health_score)}` }, String(c.health_score))),
        h("td", {}, c.flags.map((f) => h("span", { class: `pill flag flag-${f}` }, label("flag", f)))),
        h("td", { class: "follow" }, followUpText(c.follow_up)),
      ),
    );
    return [
      h("p", { class: "muted", id: "crm-total" }, t("crm.total", { n: page.total })),
      page.items.length
        ? h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "customers", id: "crm-list" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["name", "id", "plan", "fee", "risk", "health", "flags", "follow"].map((key) => h("th", {}, t(`crm.col.${key}`))),
                ),
              ),
              h("tbody", {}, rows),
            ),
          )
        : h("p", { class: "empty" }, t("crm.empty")),
      h(
        "nav",
        { class: "pager", "aria-label": "pages" },
        h("button", { type: "button", id: "crm-prev", disabled: offset ? null : "", onclick: () => go({ offset: String(Math.max(0, offset - PAGE_SIZE)) }) }, `← ${t("common.prev")}`),
        h("button", { type: "button", id: "crm-next", disabled: page.next_offset === null ? "" : null, onclick: () => go({ offset: String(page.next_offset) }) }, `${t("common.next")} →`),
      ),
    ];
  }

  await loadList();
}
