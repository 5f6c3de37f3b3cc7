// Confirm / dismiss a signal (POST /api/v1/signals/{id}/feedback); shared by the call and at-risk pages.
import { ApiError, api } from "../api.js";
import { h } from "../dom.js";
import { label, t } from "../i18n.js";
import { toast } from "../ui.js";

/** Buttons for one signal; ``signalId`` may be a function resolving the id on first use. */
export function feedbackButtons(signalId, current = null) {
  const state = h("span", { class: "feedback-state" });
  const box = h("span", { class: "feedback" }, state);
  const show = (value) => {
    state.textContent = value ? t(`feedback.${value}ed`) : "";
    box.dataset.feedback = value || "";
    for (const button of box.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.label === value));
    }
  };
  const send = async (value) => {
    try {
      const id = typeof signalId === "function" ? await signalId() : signalId;
      if (!id) {
        toast(t("feedback.noSignal"), "error");
        return;
      }
      const result = await api(`signals/${id}/feedback`, { method: "POST", json: { label: value } });
      show(value);
      const changes = [
        ...(result.flags_raised || []).map((f) => `+${label("flag", f)}`),
        ...(result.flags_cleared || []).map((f) => `−${label("flag", f)}`),
      ];
      toast(`${t("feedback.saved")}${changes.length ? ` (${changes.join(", ")})` : ""}`);
    } catch (error) {
      toast(error instanceof ApiError ? error.friendly : String(error), "error");
    }
  };
  box.prepend(
    h("button", { type: "button", class: "confirm", "data-label": "confirm", onclick: () => send("confirm") }, `✓ ${t("feedback.confirm")}`),
    h("button", { type: "button", class: "dismiss", "data-label": "dismiss", onclick: () => send("dismiss") }, `✕ ${t("feedback.dismiss")}`),
  );
  show(current);
  return box;
}
