// Login with an API key: kept in sessionStorage (this tab only), checked with GET /api/v1/me.
import { ApiError, clearKey, setKey, whoami } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { errorBox, navigate } from "../ui.js";

export function renderLogin(view, { next }) {
  const input = h("input", {
    type: "password",
    id: "api-key",
    name: "key",
    autocomplete: "off",
    required: true,
    placeholder: "voc_…",
    spellcheck: "false",
  });
  const message = h("div", { class: "login-message" });
  const form = h(
    "form",
    {
      class: "panel login",
      onsubmit: async (event) => {
        event.preventDefault();
        message.replaceChildren();
        setKey(input.value.trim());
        try {
          await whoami(true);
        } catch (error) {
          clearKey();
          message.append(errorBox(error instanceof ApiError && error.status === 401 ? new Error(t("login.invalid")) : error));
          return;
        }
        const target = next && next.startsWith("/ui/") && !next.startsWith("/ui/login") ? next : "/ui/";
        navigate(target, { replace: true });
      },
    },
    h("h1", {}, t("login.title")),
    h("label", { for: "api-key" }, t("login.key")),
    input,
    h("p", { class: "help" }, t("login.help")),
    h("button", { type: "submit", class: "primary" }, t("login.submit")),
    message,
  );
  view.append(form);
  input.focus();
}
