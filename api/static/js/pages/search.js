// KWIC search: a word or phrase in context across transcripts; each hit opens the call at its second.
import { api } from "../api.js";
import { fmtSeconds, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { callUrl, navigate } from "../ui.js";

export async function renderSearch(view, { params }) {
  const q = params.get("q") || "";
  const speaker = params.get("speaker") || "";
  const input = h("input", { type: "search", name: "q", id: "kwic-q", value: q, required: true, maxlength: "100" });
  const who = h(
    "select",
    { name: "speaker" },
    h("option", { value: "" }, t("common.all")),
    ["customer", "operator", "unknown"].map((s) => h("option", { value: s, selected: s === speaker }, label("speaker", s))),
  );
  const form = h(
    "form",
    {
      class: "filters",
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams({ q: input.value.trim() });
        if (who.value) next.set("speaker", who.value);
        navigate(`/search?${next}`);
      },
    },
    h("label", { class: "field" }, h("span", {}, t("search.q")), input),
    h("label", { class: "field" }, h("span", {}, t("search.speaker")), who),
    h("div", { class: "filter-buttons" }, h("button", { type: "submit", class: "primary" }, t("search.submit"))),
  );
  const section = h("section", { class: "panel" }, h("h1", {}, t("search.title")), form);
  view.append(section);
  if (!q) return;
  const hits = await api("search", { query: { q, speaker, limit: 200 } });
  section.append(h("p", { class: "muted" }, t("search.count", { n: hits.length })));
  section.append(
    hits.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "kwic", id: "kwic" },
            h(
              "tbody",
              {},
              hits.map((hit) =>
                h(
                  "tr",
                  {},
                  h("td", { class: "kwic-left" }, hit.left),
                  h("td", { class: "kwic-match" }, h("mark", {}, hit.match)),
                  h("td", { class: "kwic-right" }, hit.right),
                  h(
                    "td",
                    { class: "kwic-ref" },
                    h("a", { href: callUrl(hit.call_id, hit.start) }, `${hit.external_id || `#${hit.call_id}`} ▶${fmtSeconds(hit.start)}`),
                    " ",
                    h("span", { class: "muted" }, label("speaker", hit.speaker)),
                  ),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "empty" }, t("search.empty")),
  );
}
