// Shared by the pages: navigation, toasts, error boxes and clean-up when a page is left.
import { ApiError } from "./api.js";
import { h } from "./dom.js";

export const BASE = "/ui";

let renderApp = () => {};
let cleanup = [];

export function setRenderer(fn) {
  renderApp = fn;
}

/** Pages register what to stop (polling, object URLs) when the user leaves them. */
export function onLeave(fn) {
  cleanup.push(fn);
}

export function leavePage() {
  const fns = cleanup;
  cleanup = [];
  for (const fn of fns) {
    try {
      fn();
    } catch {
      // a failing clean-up must not block the next page
    }
  }
}

export function navigate(path, { replace = false } = {}) {
  const url = path.startsWith(`${BASE}/`) ? path : `${BASE}${path}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  return renderApp();
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  const item = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

/** An API error where it happened: 403 as the friendly "not allowed" text. */
export function errorBox(error) {
  const text = error instanceof ApiError ? error.friendly : String(error?.message || error);
  return h("div", { class: "error", role: "alert" }, text);
}

/** The URL of a call page, at a second when given (the form the topic report links to). */
export function callUrl(ref, seconds) {
  const base = `${BASE}/calls/${encodeURIComponent(ref)}`;
  return seconds === undefined || seconds === null ? base : `${base}?t=${Number(seconds)}`;
}
