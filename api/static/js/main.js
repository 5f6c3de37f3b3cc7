// The single-page app: history routing under /ui/, a header with what the role may use, one view at a time.
import { ApiError, can, clearKey, getKey, setUnauthorizedHandler, whoami } from "./api.js";
import { clear, h } from "./dom.js";
import { lang, setLang, t } from "./i18n.js";
import { renderCall } from "./pages/call.js";
import { renderCalls } from "./pages/calls.js";
import { renderCrm } from "./pages/crm.js";
import { renderCustomer } from "./pages/customer.js";
import { renderAtRisk } from "./pages/customers.js";
import { renderLogin } from "./pages/login.js";
import { renderSearch } from "./pages/search.js";
import { renderTopics } from "./pages/topics.js";
import { renderUpload } from "./pages/upload.js";
import { BASE, errorBox, leavePage, navigate, setRenderer, toast } from "./ui.js";

/** [pattern, permission needed, nav key, render]: the first match wins. */
const ROUTES = [
  [/^\/upload$/, "calls.upload", "upload", renderUpload],
  [/^\/calls$/, "calls.read", "calls", renderCalls],
  [/^\/calls\/([^/]+)$/, "calls.read", "calls", renderCall],
  [/^\/customers$/, "at_risk.read", "customers", renderAtRisk],
  [/^\/crm$/, "customers.read", "crm", renderCrm],
  [/^\/customers\/([^/]+)$/, "customers.read", "customers", renderCustomer],
  [/^\/topics$/, "topics.read", "topics", renderTopics],
  [/^\/search$/, "calls.read", "search", renderSearch],
];

/** The header's links, shown only to roles that may use them. */
const NAV = [
  ["upload", "/upload", "calls.upload"],
  ["calls", "/calls", "calls.read"],
  ["customers", "/customers", "at_risk.read"],
  ["crm", "/crm", "customers.read"],
  ["topics", "/topics", "topics.read"],
  ["search", "/search", "calls.read"],
];

function homeFor() {
  if (can("calls.upload")) return "/upload";
  if (can("at_risk.read") && !can("calls.read")) return "/customers";
  if (can("calls.read")) return "/calls";
  return "/customers";
}

function header(me, active) {
  const nav = h(
    "nav",
    { class: "nav", "aria-label": "main" },
    NAV.filter(([, , perm]) => can(perm)).map(([key, path]) =>
      h(
        "a",
        { href: `${BASE}${path}`, class: key === active ? "active" : null, "data-nav": key },
        t(`nav.${key}`),
      ),
    ),
  );
  return h(
    "div",
    { class: "bar" },
    h("a", { class: "brand", href: `${BASE}/` }, "voc"),
    nav,
    h(
      "div",
      { class: "who" },
      h("span", { class: "role", title: me.name, "data-role": me.role }, t(`role.${me.role}`)),
      langButton(),
      h(
        "button",
        {
          type: "button",
          class: "link",
          id: "logout",
          onclick: () => {
            clearKey();
            toast(t("login.loggedOut"));
            navigate("/login");
          },
        },
        t("nav.logout"),
      ),
    ),
  );
}

function langButton() {
  return h(
    "button",
    {
      type: "button",
      class: "link",
      id: "lang",
      onclick: () => {
        setLang(lang() === "ja" ? "en" : "ja");
        render();
      },
    },
    t("nav.lang"),
  );
}

let renders = 0;

async function render() {
  leavePage();
  document.documentElement.lang = lang();
  document.title = t("app.title");
  const token = ++renders;
  const top = clear(document.getElementById("top"));
  // Each render gets its own container: a slow, stale page fills a detached one, never the screen.
  const view = h("div", { class: "page" });
  clear(document.getElementById("view")).append(view);
  let path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "/";
  path = path.replace(/\/+$/, "") || "/";
  const params = new URLSearchParams(location.search);

  if (path === "/login" || !getKey()) {
    top.append(h("div", { class: "bar" }, h("span", { class: "brand" }, "voc"), h("div", { class: "who" }, langButton())));
    renderLogin(view, { next: path === "/login" ? params.get("next") : location.pathname + location.search });
    return;
  }
  let me;
  try {
    me = await whoami();
    if (token !== renders) return;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return; // the handler went to the login page
    view.append(errorBox(error));
    return;
  }
  if (path === "/") {
    navigate(homeFor(), { replace: true });
    return;
  }
  for (const [pattern, permission, navKey, page] of ROUTES) {
    const match = path.match(pattern);
    if (!match) continue;
    top.append(header(me, navKey));
    if (!can(permission)) {
      view.append(h("section", { class: "panel", id: "forbidden" }, h("h1", {}, t("error.forbiddenPage")), errorBox(new ApiError(403, ""))));
      return;
    }
    try {
      await page(view, { params, args: match.slice(1).map(decodeURIComponent), me });
    } catch (error) {
      view.append(errorBox(error));
    }
    return;
  }
  top.append(header(me, null));
  view.append(h("section", { class: "panel" }, h("h1", {}, t("error.notFound"))));
}

// Same-origin links under /ui/ change the view without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download") || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => render());
setRenderer(render);
setUnauthorizedHandler(() => {
  if (!location.pathname.startsWith(`${BASE}/login`)) {
    clearKey();
    const next = encodeURIComponent(location.pathname + location.search);
    history.replaceState(null, "", `${BASE}/login?next=${next}`);
    render();
  }
});
render();
