// Customers: the CRM import (CSV in UTF-8 or Shift_JIS, read by the server) and the customer list.
import { ApiError, can, uploadForm } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

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

export async function renderCrm(view) {
  view.append(h("section", { class: "panel" }, h("h1", {}, t("crm.title"))));
  if (can("customers.write")) view.append(importPanel());
}
