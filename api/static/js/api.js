// The API client: the key from sessionStorage as a Bearer header, problem+json errors as ApiError.
import { t } from "./i18n.js";

const KEY = "voc.key";
export const API = "/api/v1";

export function getKey() {
  return sessionStorage.getItem(KEY);
}

export function setKey(value) {
  sessionStorage.setItem(KEY, value);
}

export function clearKey() {
  sessionStorage.removeItem(KEY);
  me = null;
}

export class ApiError extends Error {
  constructor(status, detail, problem = null) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }

  /** What to show a person: friendly for 401/403/404, the server's Japanese detail otherwise. */
  get friendly() {
    if (this.status === 403) return t("error.forbidden");
    if (this.status === 401) return t("login.invalid");
    if (this.status === 0) return t("error.network");
    return this.detail || t("error.generic");
  }
}

/** Called on a 401: the key is gone or revoked, so the app goes back to the login page. */
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function headers(extra = {}) {
  const key = getKey();
  return key ? { Authorization: `Bearer ${key}`, ...extra } : { ...extra };
}

async function problemOf(response) {
  let problem = null;
  try {
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) problem = await response.json();
  } catch {
    problem = null;
  }
  const detail = problem && typeof problem.detail === "string" ? problem.detail : response.statusText;
  return new ApiError(response.status, detail, problem);
}

async function send(path, { method = "GET", json, query, quiet = false } = {}) {
  const url = new URL(path.startsWith("/") ? path : `${API}/${path}`, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, String(v));
  }
  const init = { method, headers: headers(json === undefined ? {} : { "Content-Type": "application/json" }) };
  if (json !== undefined) init.body = JSON.stringify(json);
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, t("error.network"));
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (error.status === 401 && !quiet) onUnauthorized();
    throw error;
  }
  return response;
}

/** JSON from an API path ("calls", "calls/12", or "/api/v1/…"). */
export async function api(path, options = {}) {
  const response = await send(path, options);
  if (response.status === 204) return null;
  return response.json();
}

export async function apiBlob(path, options = {}) {
  const response = await send(path, options);
  return response.blob();
}

let me = null;

/** The current key's {key_id, name, role, permissions}; cached until logout. */
export async function whoami(force = false) {
  if (!me || force) me = await api("me", { quiet: force });
  return me;
}

export function can(permission) {
  return Boolean(me && me.permissions.includes(permission));
}

let schema = null;

/** Query parameters an operation documents in /openapi.json (so the UI offers only filters that work). */
export async function queryParams(path, method = "get") {
  try {
    if (!schema) {
      const response = await fetch("/openapi.json");
      schema = response.ok ? await response.json() : {};
    }
    const op = schema.paths?.[path]?.[method];
    return new Set((op?.parameters || []).filter((p) => p.in === "query").map((p) => p.name));
  } catch {
    return new Set();
  }
}

export async function hasOperation(path, method) {
  await queryParams(path, method);
  return Boolean(schema?.paths?.[path]?.[method]);
}

/**
 * POST a multipart form with XMLHttpRequest, for upload progress events.
 * onProgress(fraction) is called as bytes leave; resolves with the JSON body, rejects with ApiError.
 */
export function uploadForm(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API}/${path}`);
    const key = getKey();
    if (key) xhr.setRequestHeader("Authorization", `Bearer ${key}`);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else {
        if (xhr.status === 401) onUnauthorized();
        const detail = body && typeof body.detail === "string" ? body.detail : xhr.statusText;
        reject(new ApiError(xhr.status, detail, body));
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, t("error.network"))));
    xhr.addEventListener("abort", () => reject(new ApiError(0, t("error.network"))));
    xhr.send(form);
  });
}

/** The first documented path matching ``pattern`` with ``method`` (e.g. a retry route), or null. */
export async function findPath(pattern, method) {
  await queryParams("/", method);
  for (const [path, ops] of Object.entries(schema?.paths || {})) {
    if (pattern.test(path) && ops[method]) return path;
  }
  return null;
}
