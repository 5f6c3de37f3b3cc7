// Topics: labels and terms, share over time (inline SVG), emerging topics, segment and signal tables,
// rename, the co-occurrence network and CSV export.
import { ApiError, api, apiBlob, can } from "../api.js";
import { lineChart } from "../chart.js";
import { fill, fmtPercent, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { BASE, errorBox, navigate, onLeave, toast } from "../ui.js";

function crossTable(title, rowNames, columns, cell) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "crosstab" },
      h("caption", {}, title),
      h("thead", {}, h("tr", {}, h("th", {}, ""), columns.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rowNames.map((name, i) => h("tr", {}, h("th", { scope: "row" }, name), columns.map((_, j) => cell(i, j))))),
    ),
  );
}

function heat(value, lift) {
  const level = lift === null || lift === undefined ? "" : lift >= 2 ? "hot" : lift >= 1.3 ? "warm" : lift < 0.7 ? "cool" : "";
  return h("td", { class: `num ${level}` }, value);
}

async function download(period) {
  try {
    const blob = await apiBlob("topics/report", { query: { format: "csv", period } });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: `topics-${period}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    toast(error instanceof ApiError ? error.friendly : String(error), "error");
  }
}

export async function renderTopics(view, { params }) {
  const period = params.get("period") === "month" ? "month" : "week";
  const [summary, report] = await Promise.all([api("topics"), api("topics/report", { query: { period } })]);
  const section = h("section", { class: "panel" });
  view.append(section);
  const periodSelect = h(
    "select",
    { id: "period", onchange: () => navigate(`/topics?period=${periodSelect.value}`) },
    h("option", { value: "week", selected: period === "week" }, t("topics.week")),
    h("option", { value: "month", selected: period === "month" }, t("topics.month")),
  );
  section.append(
    h(
      "div",
      { class: "title-row" },
      h("h1", {}, t("topics.title")),
      h(
        "div",
        { class: "toolbar" },
        h("label", {}, `${t("topics.period")} `, periodSelect),
        can("exports.read") || can("topics.read")
          ? h("button", { type: "button", id: "export-csv", onclick: () => download(period) }, `⬇ ${t("topics.export")}`)
          : null,
      ),
    ),
  );
  const topics = summary.topics || [];
  if (!topics.length) {
    section.append(h("p", { class: "empty" }, t("topics.none")));
    return;
  }
  const emerging = new Set((report.emerging || []).map((e) => e.topic));
  const nameOf = (index) => report.names?.[String(index)] ?? topics.find((tp) => tp.index === index)?.label ?? `#${index}`;

  // Topics with rename.
  const rows = topics.map((topic) => {
    const nameCell = h("td", { class: "topic-name", "data-label": t("topics.label") });
    const showName = () => {
      fill(
        nameCell,
        h(
          "div",
          {},
          h("strong", { class: "label" }, topic.label),
        emerging.has(topic.index) ? h("span", { class: "pill emerging", title: t("topics.emerging") }, `↑ ${t("topics.emerging")}`) : null,
        topic.generated_label && topic.generated_label !== topic.label ? h("div", { class: "muted small" }, topic.generated_label) : null,
        can("topics.write")
          ? h("button", { type: "button", class: "link rename", onclick: editName }, t("topics.rename"))
          : null,
        ),
      );
    };
    const editName = () => {
      const input = h("input", { type: "text", value: topic.label, maxlength: "256", class: "rename-input", "aria-label": t("topics.label") });
      const form = h(
        "form",
        {
          class: "rename-form",
          onsubmit: async (event) => {
            event.preventDefault();
            const name = input.value.trim();
            if (!name) return;
            try {
              const result = await api(`topics/${topic.id}`, { method: "PATCH", json: { name } });
              topic.label = result.name || name;
              showName();
              toast(t("topics.renamed"));
            } catch (error) {
              form.append(errorBox(error));
            }
          },
        },
        input,
        h("button", { type: "submit", class: "primary" }, t("common.save")),
        h("button", { type: "button", onclick: showName }, t("common.cancel")),
      );
      fill(nameCell, form);
      input.focus();
      input.select();
    };
    showName();
    return h(
      "tr",
      { class: "topic-row", "data-topic": topic.id },
      nameCell,
      h("td", { class: "terms", "data-label": t("topics.terms") }, topic.terms.slice(0, 8).join("、")),
      h("td", { class: "num share", "data-label": t("topics.share") }, h("span", {}, h("meter", { min: "0", max: "1", value: String(topic.share) }), ` ${fmtPercent(topic.share)}`)),
      h("td", { class: "num", "data-label": t("topics.calls") }, String(topic.calls.length)),
    );
  });
  section.append(
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "topics cards", id: "topics" },
        h("thead", {}, h("tr", {}, h("th", {}, t("topics.label")), h("th", {}, t("topics.terms")), h("th", {}, t("topics.share")), h("th", {}, t("topics.calls")))),
        h("tbody", {}, rows),
      ),
    ),
  );

  // Share over time.
  const periods = report.periods || [];
  if (periods.length) {
    const order = topics.map((tp) => tp.index);
    const series = order.map((index) => ({
      name: nameOf(index),
      emerging: emerging.has(index),
      values: periods.map((p) => p.shares.find((s) => s.topic === index)?.share ?? 0),
    }));
    view.append(h("section", { class: "panel", id: "trend" }, h("h2", {}, t("topics.trend")), lineChart(periods.map((p) => p.period), series)));
  }

  // Emerging topics.
  view.append(
    h(
      "section",
      { class: "panel", id: "emerging" },
      h("h2", {}, t("topics.emergingList")),
      report.emerging?.length
        ? h(
            "ul",
            { class: "emerging-list" },
            report.emerging.map((e) =>
              h(
                "li",
                {},
                h("span", { class: "pill emerging" }, "↑"),
                ` ${e.name ?? nameOf(e.topic)} — ${e.period}: ${fmtPercent(e.recent_share)} (${fmtPercent(e.baseline_share)} → ${t("topics.lift", { x: Number(e.lift).toFixed(1) })})`,
              ),
            ),
          )
        : h("p", { class: "muted" }, t("topics.noEmerging")),
    ),
  );

  // Topic × segment and topic × signal.
  const tables = h("section", { class: "panel", id: "crosstabs" });
  for (const [key, tab] of Object.entries(report.by_segment || {})) {
    if (!tab?.topics?.length) continue;
    tables.append(
      crossTable(`${t("topics.bySegment")}: ${label("segment", key)}`, tab.topics.map(nameOf), tab.categories, (i, j) =>
        heat(`${fmtPercent(tab.row_shares[i][j])} (${tab.counts[i][j]})`, tab.lift?.[i]?.[j]),
      ),
    );
  }
  const sig = report.by_signal;
  if (sig?.topics?.length && sig.signals?.length) {
    tables.append(
      crossTable(t("topics.bySignal"), sig.topics.map(nameOf), sig.signals.map((s) => label("signal", s)), (i, j) =>
        heat(`${fmtPercent(sig.shares[i][j])} (${sig.counts[i][j]})`, sig.overall_shares[j] ? sig.shares[i][j] / sig.overall_shares[j] : null),
      ),
    );
  }
  if (tables.childElementCount) view.append(tables);

  // Representative calls: open each at the moment the topic is talked about.
  const reps = (report.representative_calls || []).filter((r) => r.calls.length);
  if (reps.length) {
    view.append(
      h(
        "section",
        { class: "panel" },
        h("h2", {}, t("topics.examples")),
        h(
          "ul",
          { class: "examples" },
          reps.map((r) =>
            h(
              "li",
              {},
              h("strong", {}, nameOf(r.topic)),
              ": ",
              r.calls.map((c, i) => [i ? ", " : "", h("a", { href: c.ui_url || `${BASE}/calls/${c.call_id}?t=${c.start}` }, `${c.external_id || `#${c.call_id}`} ▶${c.start}s`)]),
            ),
          ),
        ),
      ),
    );
  }

  // Co-occurrence network (SVG drawn by the server, fetched with the key).
  const figure = h("figure", { class: "network", id: "network" }, h("p", { class: "muted" }, t("common.loading")));
  view.append(h("section", { class: "panel" }, h("h2", {}, t("topics.network")), figure));
  try {
    const blob = await apiBlob("topics/network", { query: { format: "svg" } });
    const url = URL.createObjectURL(blob);
    onLeave(() => URL.revokeObjectURL(url));
    figure.replaceChildren(h("img", { src: url, alt: t("topics.network") }));
  } catch (error) {
    figure.replaceChildren(errorBox(error));
  }
}
