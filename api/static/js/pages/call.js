// One call: the conversation in two columns, the recording (fetched with the key, played from a blob URL),
// signals highlighted on their lines with their evidence, talk metrics and the linked customer.
import { ApiError, api, apiBlob, can } from "../api.js";
import { fmtDate, fmtNumber, fmtPercent, fmtSeconds, h } from "../dom.js";
import { label, t } from "../i18n.js";
import { BASE, onLeave, toast } from "../ui.js";
import { feedbackButtons } from "./feedback.js";

const FINAL = new Set(["done", "failed", "dead"]);

function metricValue(key, value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${label("speaker", k)} ${key.endsWith("_s") ? fmtSeconds(v) : fmtNumber(v, 1)}`)
      .join(" / ");
  }
  if (key === "talk_ratio") return fmtPercent(value);
  if (key.endsWith("_s")) return `${fmtNumber(value, 1)} 秒`;
  return fmtNumber(value, 2);
}

/** The signals of each transcript line: by the signal's segment index, else by time overlap. */
function signalsByLine(segments, signals) {
  const out = segments.map(() => []);
  for (const signal of signals) {
    let index = Number.isInteger(signal.segment) && segments[signal.segment] ? signal.segment : -1;
    if (index < 0) {
      index = segments.findIndex((s) => s.start < signal.end && signal.start < s.end);
    }
    if (index >= 0) out[index].push(signal);
  }
  return out;
}

/** A failed call: why, in the reader's language, the stored detail, and a retry for those who may. */
function failureBox(call, rerender) {
  const f = call.failure;
  const retryable = call.status === "failed" || call.status === "dead";
  const retry = retryable && can("calls.upload")
    ? h(
        "button",
        {
          type: "button",
          class: "primary",
          id: "call-retry",
          onclick: async (event) => {
            event.target.disabled = true;
            try {
              await api(`calls/${call.id}/retry`, { method: "POST" });
              toast(t("call.retried"));
              rerender();
            } catch (error) {
              event.target.disabled = false;
              toast(error instanceof ApiError ? error.friendly : String(error), "error");
            }
          },
        },
        t("call.retry"),
      )
    : null;
  return h(
    "div",
    { class: "failure", id: "call-failure", role: "alert", "data-code": f.code },
    h("p", { class: "failure-reason" }, t(`failure.${f.code}`)),
    f.exhausted ? h("p", { class: "muted" }, t("failure.exhausted", { n: call.attempts })) : null,
    retryable && !can("calls.upload") ? h("p", { class: "muted" }, t("call.retryAsk")) : null,
    retry,
    h("details", {}, h("summary", {}, t("failure.detail")), h("code", { class: "failure-detail" }, f.detail)),
  );
}

export async function renderCall(view, { args, params }) {
  const ref = args[0];
  const seekTo = params.has("t") ? Number(params.get("t")) : null;
  let call = await api(`calls/${encodeURIComponent(ref)}`);

  const audio = h("audio", { controls: true, preload: "auto", id: "player" });
  const audioBox = h("div", { class: "player" });
  const lines = [];

  function play(seconds) {
    if (!audio.src) return;
    audio.currentTime = seconds;
    const started = audio.play();
    if (started) started.catch(() => {});
  }

  if (can("calls.audio")) {
    audioBox.append(audio);
    apiBlob(`calls/${encodeURIComponent(ref)}/audio`)
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        onLeave(() => {
          audio.pause();
          URL.revokeObjectURL(url);
        });
        audio.src = url;
        audio.dataset.ready = "true";
        if (seekTo !== null && Number.isFinite(seekTo)) {
          audio.addEventListener(
            "loadedmetadata",
            () => {
              audio.currentTime = seekTo;
              highlightAt(seekTo);
              lines.find((l) => l.start <= seekTo && seekTo < l.end)?.el.scrollIntoView({ block: "center" });
            },
            { once: true },
          );
        }
      })
      .catch((error) => {
        const gone = error instanceof ApiError && error.status === 410;
        audioBox.replaceChildren(h("p", { class: "muted" }, gone ? t("call.audioGone") : error.friendly || String(error)));
      });
  } else {
    audioBox.append(h("p", { class: "muted" }, t("call.noAudio")));
  }

  function highlightAt(seconds) {
    for (const line of lines) line.el.classList.toggle("playing", line.start <= seconds && seconds < line.end);
  }
  audio.addEventListener("timeupdate", () => highlightAt(audio.currentTime));

  const titleText = call.external_id ? `${call.external_id} (#${call.id})` : `#${call.id}`;
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, t("call.status")),
    h("dd", { id: "call-status" }, h("span", { class: `pill status-${call.status}` }, label("status", call.status))),
    h("dt", {}, t("call.started")),
    h("dd", {}, fmtDate(call.started_at)),
    h("dt", {}, t("call.duration")),
    h("dd", {}, fmtSeconds(call.duration)),
    h("dt", {}, t("call.agent")),
    h("dd", {}, call.agent || "—"),
    h("dt", {}, t("call.customer")),
    h(
      "dd",
      { id: "call-customer" },
      call.customer_id
        ? can("customers.read")
          ? h("a", { href: `${BASE}/customers/${encodeURIComponent(call.customer_id)}` }, call.customer_id)
          : call.customer_id
        : "—",
    ),
  );

  const signals = call.signals || [];
  const bySegment = signalsByLine(call.segments || [], signals);
  const transcript = h(
    "ol",
    { class: "transcript", id: "transcript" },
    (call.segments || []).map((segment, index) => {
      const marks = bySegment[index];
      const el = h(
        "li",
        {
          class: `line ${segment.speaker}${marks.length ? " flagged" : ""}`,
          "data-start": segment.start,
          "data-index": index,
          tabindex: "0",
          title: t("call.clickLine"),
          onclick: () => play(segment.start),
          onkeydown: (event) => {
            if (event.key === "Enter") play(segment.start);
          },
        },
        h("div", { class: "who" }, label("speaker", segment.speaker), " ", h("time", {}, fmtSeconds(segment.start))),
        h("div", { class: "bubble" }, segment.text),
        marks.length
          ? h(
              "div",
              { class: "marks" },
              marks.map((s) => h("span", { class: `pill signal-${s.type}`, title: s.text }, `${label("signal", s.type)} ${fmtPercent(s.score)}`)),
            )
          : null,
      );
      lines.push({ el, start: segment.start, end: segment.end });
      return el;
    }),
  );

  const signalList = signals.length
    ? h(
        "ul",
        { class: "signals", id: "call-signals" },
        signals.map((s) =>
          h(
            "li",
            { class: "signal", "data-signal": s.id },
            h("div", { class: "signal-head" }, h("span", { class: `pill signal-${s.type}` }, label("signal", s.type)), ` ${t("call.score")} ${fmtPercent(s.score)} · ${label("speaker", s.speaker)} · `, h("button", { type: "button", class: "link play-at", onclick: () => play(s.start) }, `▶ ${fmtSeconds(s.start)}`)),
            h("blockquote", {}, s.text),
            s.rule || s.matched ? h("p", { class: "muted signal-reason" }, `${t("call.reason")}: ${[s.rule, s.matched ? `「${s.matched}」` : null].filter(Boolean).join(" ")}`) : null,
            can("signals.feedback") && s.id ? feedbackButtons(s.id, s.feedback) : null,
          ),
        ),
      )
    : h("p", { class: "muted" }, t("call.noSignals"));

  const metrics = call.metrics || {};
  const metricList = h(
    "dl",
    { class: "facts metrics" },
    Object.entries(metrics).flatMap(([key, value]) => [h("dt", {}, label("metric", key)), h("dd", {}, metricValue(key, value))]),
    call.redactions?.length ? [h("dt", {}, "PII"), h("dd", {}, t("call.redactions", { n: call.redactions.length }))] : [],
  );

  view.append(
    h(
      "div",
      { class: "call-page" },
      h(
        "section",
        { class: "panel call-main" },
        h("h1", {}, t("call.title", { id: titleText })),
        audioBox,
        h("p", { class: "help" }, t("call.clickLine")),
        h("h2", {}, t("call.transcript")),
        call.failure && !call.segments?.length ? failureBox(call, () => {
          view.replaceChildren();
          renderCall(view, { args, params });
        }) : null,
        call.segments?.length ? transcript : call.failure ? null : h("p", { class: "muted" }, t("call.noTranscript")),
      ),
      h(
        "aside",
        { class: "call-side" },
        h("section", { class: "panel" }, facts),
        h("section", { class: "panel" }, h("h2", {}, t("call.signals")), signalList),
        Object.keys(metrics).length ? h("section", { class: "panel" }, h("h2", {}, t("call.metrics")), metricList) : null,
      ),
    ),
  );

  // A call still in the pipeline: reload the page when it is finished.
  if (!FINAL.has(call.status)) {
    const timer = setInterval(async () => {
      try {
        call = await api(`calls/${encodeURIComponent(ref)}`);
      } catch {
        return;
      }
      const statusCell = document.getElementById("call-status");
      if (statusCell) statusCell.firstChild.textContent = label("status", call.status);
      if (FINAL.has(call.status)) {
        clearInterval(timer);
        view.replaceChildren();
        renderCall(view, { args, params });
      }
    }, 2000);
    onLeave(() => clearInterval(timer));
  }
}
