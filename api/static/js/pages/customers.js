// The at-risk list: customer success's morning work list, with the evidence to listen to and feedback.
import { api, can } from "../api.js";
import { fmtNumber, fmtSeconds, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { BASE, callUrl } from "../ui.js";
import { feedbackButtons } from "./feedback.js";

/** The id of the signal behind a piece of evidence: given by the API, else looked up by call, type and time. */
function signalResolver(evidence) {
  let found = evidence.signal_id ?? evidence.id ?? null;
  return async () => {
    if (found) return found;
    const page = await api("signals", { query: { call: evidence.call_id, type: evidence.type, limit: 100 } });
    const match = page.items.find((s) => Math.abs(s.start - evidence.start) < 0.01) || page.items[0];
    found = match ? match.id : null;
    return found;
  };
}

function healthClass(score) {
  return score >= 70 ? "good" : score >= 40 ? "warn" : "bad";
}

export async function renderAtRisk(view) {
  const section = h("section", { class: "panel" }, h("h1", {}, t("risk.title")));
  view.append(section);
  const items = await api("at-risk", { query: { limit: 100 } });
  if (!items.length) {
    section.append(h("p", { class: "empty" }, t("risk.empty")));
    return;
  }
  const feeCells = new Map();
  const list = h(
    "ol",
    { class: "at-risk", id: "at-risk" },
    items.map((c, i) => {
      const fee = h("span", { class: "fee" }, c.monthly_fee !== undefined ? `¥${fmtNumber(c.monthly_fee)}` : "…");
      if (c.monthly_fee === undefined) feeCells.set(c.customer_id, fee);
      const name = can("customers.read")
        ? h("a", { href: `${BASE}/customers/${encodeURIComponent(c.customer_id)}` }, c.name || c.customer_id)
        : c.name || c.customer_id;
      return h(
        "li",
        { class: "risk-card", "data-customer": c.customer_id },
        h(
          "div",
          { class: "risk-head" },
          h("span", { class: "rank", title: t("risk.rank") }, String(i + 1)),
          h("div", { class: "risk-who" }, h("strong", {}, name), h("span", { class: "muted" }, ` ${c.customer_id}`)),
          h(
            "dl",
            { class: "risk-numbers" },
            h("dt", {}, t("risk.value")),
            h("dd", {}, fee),
            h("dt", {}, t("risk.score")),
            h("dd", {}, fmtNumber(c.risk_score, 2)),
            h("dt", {}, t("risk.health")),
            h("dd", {}, h("span", { class: `pill ${healthClass(c.health_score)}` }, String(c.health_score))),
          ),
        ),
        h("div", { class: "flags" }, c.flags.map((f) => h("span", { class: `pill flag flag-${f}` }, label("flag", f)))),
        h(
          "ul",
          { class: "evidence" },
          c.evidence.map((e) =>
            h(
              "li",
              { class: "quote", "data-type": e.type },
              h("a", { class: "play", href: callUrl(e.call_id, e.start), title: t("common.play") }, `▶ ${fmtSeconds(e.start)}`),
              h("span", { class: `pill signal-${e.type}` }, label("signal", e.type)),
              h("q", {}, e.text),
              can("signals.feedback") ? feedbackButtons(signalResolver(e), e.feedback ?? null) : null,
            ),
          ),
        ),
      );
    }),
  );
  section.append(list);
  // The list has no fee yet: read it from each customer (in parallel, a few at a time).
  if (feeCells.size && can("customers.read")) {
    const ids = [...feeCells.keys()];
    const lane = async () => {
      while (ids.length) {
        const id = ids.shift();
        try {
          const customer = await api(`customers/${encodeURIComponent(id)}`);
          feeCells.get(id).textContent = customer.monthly_fee === null || customer.monthly_fee === undefined ? "—" : `¥${fmtNumber(customer.monthly_fee)}`;
        } catch {
          feeCells.get(id).textContent = "—";
        }
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  } else {
    for (const cell of feeCells.values()) cell.textContent = "—";
  }
}
