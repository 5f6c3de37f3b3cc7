// Calls: filters in the URL, server-side cursor pagination (50 a page), sorting.
import { api, can, queryParams } from "../api.js";
import { fmtDate, fmtSeconds, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { BASE, callUrl, navigate } from "../ui.js";

const PAGE_SIZE = 50;
const STATUSES = ["queued", "decoding", "transcribing", "analysing", "done", "failed", "dead"];
const SIGNALS = ["dissatisfaction", "value_complaint", "churn_intent", "competitor_mention", "feature_struggle"];
const FILTERS = ["started_from", "started_to", "agent", "customer_id", "status", "signal", "topic", "sort"];

// The cursors of the pages before this one (for "previous"); reset when the filters change.
let history_ = { key: "", cursors: [] };

/** A date input (JST calendar day) as the ISO 8601 instant the API wants. */
function jstStart(day) {
  return day ? `${day}T00:00:00+09:00` : "";
}

function nextDay(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const COLUMNS = [
  ["id", "calls.id", (c) => c.id],
  ["external_id", "calls.external", (c) => c.external_id || ""],
  ["started_at", "calls.started", (c) => c.started_at || c.created_at || ""],
  ["agent", "calls.agent", (c) => c.agent || ""],
  ["customer_id", "calls.customer", (c) => c.customer_id || ""],
  ["duration_s", "calls.duration", (c) => c.duration_s ?? -1],
  ["status", "calls.status", (c) => c.status],
];

/** Whether anyone works the queue (/readyz): a list whose calls never move must say why. */
async function workerNotice() {
  let workers = null;
  try {
    workers = (await (await fetch(new URL("/readyz", location.origin))).json()).workers;
  } catch {
    return null;
  }
  if (!workers) return null;
  let text = null;
  if (workers.alive === 0) text = t("calls.noWorker", { n: workers.queued });
  else if (workers.stalled) text = t("calls.stalled", { n: workers.queued, age: fmtSeconds(workers.oldest_queued_s) });
  return text && h("p", { class: "error", role: "status", id: "worker-status" }, text);
}

export async function renderCalls(view, { params }) {
  const supported = await queryParams("/api/v1/calls");
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || ""]));
  const cursor = params.get("cursor") || "";
  const filterKey = JSON.stringify(filters);
  if (history_.key !== filterKey) history_ = { key: filterKey, cursors: [] };
  if (!cursor) history_.cursors = [];

  const query = { limit: PAGE_SIZE, cursor };
  if (filters.started_from) query.started_from = jstStart(filters.started_from);
  if (filters.started_to) query.started_to = jstStart(nextDay(filters.started_to));
  for (const key of ["agent", "customer_id", "status", "signal", "topic", "sort"]) {
    if (filters[key] && supported.has(key)) query[key] = filters[key];
  }

  const field = (name, labelKey, control) =>
    h("label", { class: "field" }, h("span", {}, t(labelKey)), control);
  const input = (name, type = "text") => h("input", { name, type, value: filters[name] });
  const select = (name, values, labelPrefix) =>
    h(
      "select",
      { name },
      h("option", { value: "" }, t("common.all")),
      values.map(([value, text]) =>
        h("option", { value, selected: String(value) === filters[name] }, labelPrefix ? label(labelPrefix, text) : text),
      ),
    );

  const controls = [
    field("started_from", "calls.from", input("started_from", "date")),
    field("started_to", "calls.to", input("started_to", "date")),
    field("agent", "calls.agent", input("agent")),
    field("customer_id", "calls.customer", input("customer_id")),
    field("status", "calls.status", select("status", STATUSES.map((s) => [s, s]), "status")),
  ];
  // Only filters the server documents are offered: a filter it ignored would mislead.
  if (supported.has("signal")) {
    controls.push(field("signal", "calls.signal", select("signal", SIGNALS.map((s) => [s, s]), "signal")));
  }
  if (supported.has("topic") && can("topics.read")) {
    let topics = [];
    try {
      topics = (await api("topics")).topics || [];
    } catch {
      topics = [];
    }
    controls.push(field("topic", "calls.topic", select("topic", topics.map((tp) => [tp.index, tp.label]))));
  }
  if (supported.has("sort")) {
    controls.push(
      field(
        "sort",
        "calls.sort",
        h(
          "select",
          { name: "sort" },
          h("option", { value: "" }, t("calls.sortNew")),
          h("option", { value: "oldest", selected: filters.sort === "oldest" }, t("calls.sortOld")),
        ),
      ),
    );
  }

  const form = h(
    "form",
    {
      class: "filters",
      id: "call-filters",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const next = new URLSearchParams();
        for (const [k, v] of data.entries()) if (String(v).trim()) next.set(k, String(v).trim());
        navigate(`/calls${next.size ? `?${next}` : ""}`);
      },
    },
    controls,
    h(
      "div",
      { class: "filter-buttons" },
      h("button", { type: "submit", class: "primary" }, t("common.apply")),
      h("a", { href: `${BASE}/calls`, class: "button-like" }, t("common.reset")),
    ),
  );

  const section = h("section", { class: "panel" }, h("h1", {}, t("calls.title")), form);
  view.append(section);
  const loading = h("p", { class: "muted" }, t("common.loading"));
  section.append(loading);
  const notice = workerNotice();
  const page = await api("calls", { query });
  loading.remove();
  const shown = await notice;
  if (shown) form.after(shown);

  let sortKey = null;
  let sortDir = 1;
  const tbody = h("tbody", {});
  const fill = () => {
    const items = [...page.items];
    if (sortKey) {
      const get = COLUMNS.find(([k]) => k === sortKey)[2];
      items.sort((a, b) => (get(a) > get(b) ? sortDir : get(a) < get(b) ? -sortDir : 0));
    }
    tbody.replaceChildren(
      ...items.map((c) =>
        h(
          "tr",
          { class: "call-row", "data-id": c.id },
          h("td", { "data-label": t("calls.id") }, h("a", { href: callUrl(c.id) }, `#${c.id}`)),
          h("td", { "data-label": t("calls.external") }, c.external_id || "—"),
          h("td", { "data-label": t("calls.started") }, fmtDate(c.started_at || c.created_at)),
          h("td", { "data-label": t("calls.agent") }, c.agent || "—"),
          h(
            "td",
            { "data-label": t("calls.customer") },
            c.customer_id && can("customers.read")
              ? h("a", { href: `${BASE}/customers/${encodeURIComponent(c.customer_id)}` }, c.customer_id)
              : c.customer_id || "—",
          ),
          h("td", { "data-label": t("calls.duration") }, fmtSeconds(c.duration_s)),
          h("td", { "data-label": t("calls.status") }, h("span", { class: `pill status-${c.status}` }, label("status", c.status))),
        ),
      ),
    );
  };
  const headRow = h(
    "tr",
    {},
    COLUMNS.map(([key, labelKey]) =>
      h(
        "th",
        { scope: "col" },
        h(
          "button",
          {
            type: "button",
            class: "sort",
            "data-sort": key,
            onclick: (event) => {
              sortDir = sortKey === key ? -sortDir : 1;
              sortKey = key;
              for (const b of headRow.querySelectorAll("button.sort")) b.removeAttribute("aria-sort");
              event.currentTarget.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
              fill();
            },
          },
          t(labelKey),
        ),
      ),
    ),
  );
  fill();

  const pageNo = history_.cursors.length + 1;
  const baseParams = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) baseParams.set(k, v);
  const pager = h(
    "nav",
    { class: "pager", "aria-label": "pages" },
    h(
      "button",
      {
        type: "button",
        id: "prev-page",
        disabled: pageNo === 1,
        onclick: () => {
          const previous = history_.cursors.pop() || "";
          const p = new URLSearchParams(baseParams);
          if (previous) p.set("cursor", previous);
          navigate(`/calls${p.size ? `?${p}` : ""}`);
        },
      },
      `← ${t("common.prev")}`,
    ),
    h("span", { id: "page-no" }, t("common.page", { n: pageNo })),
    h("span", { class: "muted", id: "page-count" }, t("calls.count", { n: page.items.length })),
    h(
      "button",
      {
        type: "button",
        id: "next-page",
        disabled: !page.next_cursor,
        onclick: () => {
          history_.cursors.push(cursor);
          const p = new URLSearchParams(baseParams);
          p.set("cursor", page.next_cursor);
          navigate(`/calls?${p}`);
        },
      },
      `${t("common.next")} →`,
    ),
  );

  section.append(
    page.items.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "calls cards" }, h("thead", {}, headRow), tbody))
      : h("p", { class: "empty" }, t("calls.empty")),
    supported.has("sort") ? null : h("p", { class: "help" }, t("calls.localSort")),
    pager,
  );
}
