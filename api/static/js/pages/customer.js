// One customer: record, flags and health, and a timeline of their calls with the signals in them.
import { api, can } from "../api.js";
import { fmtDate, fmtNumber, fmtPercent, fmtSeconds, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { callUrl } from "../ui.js";

export async function renderCustomer(view, { args }) {
  const id = args[0];
  const customer = await api(`customers/${encodeURIComponent(id)}`);
  // Flags and health come with the customer when the API gives them; else from the at-risk list.
  let scores = "health_score" in customer ? customer : null;
  if (!scores && can("at_risk.read")) {
    try {
      scores = (await api("at-risk", { query: { limit: 500 } })).find((c) => c.customer_id === id) || null;
    } catch {
      scores = null;
    }
  }
  let signals = [];
  if (can("signals.read")) {
    try {
      signals = (await api("signals", { query: { customer_id: id, limit: 200 } })).items;
    } catch {
      signals = [];
    }
  }
  const byCall = new Map();
  for (const s of signals) {
    if (!byCall.has(s.call_id)) byCall.set(s.call_id, []);
    byCall.get(s.call_id).push(s);
  }
  const flags = (scores?.flags || customer.flags || []).map((f) => (typeof f === "string" ? f : f.flag));

  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, t("customer.plan")),
    h("dd", {}, customer.plan || "—"),
    h("dt", {}, t("customer.fee")),
    h("dd", {}, customer.monthly_fee === null || customer.monthly_fee === undefined ? "—" : `¥${fmtNumber(customer.monthly_fee)}`),
    h("dt", {}, t("customer.usage")),
    h("dd", {}, fmtPercent(customer.usage_rate)),
    h("dt", {}, t("customer.tenure")),
    h("dd", {}, customer.tenure_months === null || customer.tenure_months === undefined ? "—" : t("customer.months", { n: customer.tenure_months })),
    h("dt", {}, t("customer.status")),
    h("dd", {}, customer.status || "—"),
    h("dt", {}, t("customer.phones")),
    h("dd", {}, (customer.phones || []).join(", ") || "—"),
    h("dt", {}, t("customer.health")),
    h("dd", { id: "customer-health" }, scores ? String(scores.health_score) : "—"),
    h("dt", {}, t("customer.risk")),
    h("dd", {}, scores ? fmtNumber(scores.risk_score, 2) : "—"),
    h("dt", {}, t("customer.flags")),
    h("dd", { class: "flags" }, flags.length ? flags.map((f) => h("span", { class: `pill flag flag-${f}` }, label("flag", f))) : "—"),
  );

  const calls = customer.calls || [];
  const timeline = calls.length
    ? h(
        "ol",
        { class: "timeline", id: "timeline" },
        calls.map((c) => {
          const ref = c.external_id || String(c.id);
          const own = byCall.get(ref) || byCall.get(String(c.id)) || [];
          return h(
            "li",
            { class: "event" },
            h("time", {}, fmtDate(c.started_at)),
            h(
              "div",
              {},
              h("a", { href: callUrl(c.id) }, c.external_id || `#${c.id}`),
              " ",
              h("span", { class: `pill status-${c.status}` }, label("status", c.status)),
              " ",
              h("span", { class: "muted" }, fmtSeconds(c.duration)),
              own.length
                ? h(
                    "ul",
                    { class: "evidence" },
                    own.map((s) =>
                      h(
                        "li",
                        { class: "quote" },
                        h("a", { class: "play", href: callUrl(c.id, s.start) }, `▶ ${fmtSeconds(s.start)}`),
                        h("span", { class: `pill signal-${s.type}` }, label("signal", s.type)),
                        h("q", {}, s.text),
                      ),
                    ),
                  )
                : null,
            ),
          );
        }),
      )
    : h("p", { class: "muted" }, t("customer.noCalls"));

  view.append(
    h(
      "div",
      { class: "two-col" },
      h("section", { class: "panel" }, h("h1", {}, customer.name || t("customer.title", { id })), h("p", { class: "muted" }, id), facts),
      h("section", { class: "panel" }, h("h2", {}, t("customer.timeline")), timeline),
    ),
  );
}
