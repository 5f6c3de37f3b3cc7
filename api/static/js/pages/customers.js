// The at-risk list: customer success's morning work list, with the evidence to listen to and feedback.
import { ApiError, api, can } from "../api.js";
import { fmtNumber, fmtSeconds, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { BASE, callUrl, toast } from "../ui.js";
import { downloadCsv, followUpText } from "./crm.js";
import { feedbackButtons } from "./feedback.js";

/** One quote per utterance (call and moment), with a chip for every signal found in it. */
export function groupEvidence(evidence) {
  const groups = new Map();
  for (const e of evidence) {
    const key = `${e.call_id}|${e.segment ?? ""}|${e.start}`;
    if (!groups.has(key)) groups.set(key, { ...e, signals: [] });
    groups.get(key).signals.push(e);
  }
  return [...groups.values()];
}

/** Contacted / done buttons and who did it when; the state comes from the customer list. */
function followUpBox(customerId, initial) {
  const state = h("span", { class: "follow-state", "data-state": initial?.state || "none" }, followUpText(initial));
  const set = async (value) => {
    try {
      const saved = await api(`customers/${encodeURIComponent(customerId)}/follow-up`, { method: "PUT", json: { state: value } });
      state.textContent = followUpText(saved);
      state.dataset.state = saved?.state || "none";
    } catch (error) {
      toast(error instanceof ApiError ? error.friendly : String(error), "error");
    }
  };
  const buttons = can("customers.follow_up")
    ? ["contacted", "done"].map((value) =>
        h("button", { type: "button", class: `follow-${value}`, onclick: () => set(value) }, t(`follow.mark.${value}`)),
      )
    : [];
  return h("div", { class: "follow-up" }, state, ...buttons);
}

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
  const exportButton = can("customers.read")
    ? h(
        "button",
        {
          type: "button",
          id: "risk-csv",
          onclick: () =>
            downloadCsv("customers", { flagged: "true", sort: "risk" }, "at-risk.csv").catch((error) => toast(String(error), "error")),
        },
        t("risk.csv"),
      )
    : null;
  const section = h("section", { class: "panel" }, h("div", { class: "panel-head" }, h("h1", {}, t("risk.title")), exportButton));
  view.append(section);
  const items = await api("at-risk", { query: { limit: 100 } });
  // Who was contacted already (by whom, when): from the customer list, for those who may read it.
  const follow = new Map();
  if (can("customers.read") && items.length) {
    try {
      const listed = await api("customers", { query: { flagged: "true", limit: 500 } });
      for (const c of listed.items) follow.set(c.customer_id, c.follow_up);
    } catch {
      // the list still works without the follow-up states
    }
  }
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
        followUpBox(c.customer_id, follow.get(c.customer_id) ?? null),
        h(
          "ul",
          { class: "evidence" },
          groupEvidence(c.evidence).map((e) =>
            h(
              "li",
              { class: "quote", "data-types": e.signals.map((s) => s.type).join(" ") },
              h("a", { class: "play", href: callUrl(e.call_id, e.start), title: t("common.play") }, `▶ ${fmtSeconds(e.start)}`),
              h("q", {}, e.text),
              h(
                "span",
                { class: "chips" },
                e.signals.map((s) =>
                  h(
                    "span",
                    { class: "chip", "data-type": s.type },
                    h("span", { class: `pill signal-${s.type}` }, label("signal", s.type)),
                    can("signals.feedback") ? feedbackButtons(signalResolver(s), s.feedback ?? null) : null,
                  ),
                ),
              ),
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
