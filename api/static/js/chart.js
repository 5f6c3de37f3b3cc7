// An inline SVG line chart of topic shares per period (no library): one line per topic, legend in HTML.
import { h, svg } from "./dom.js";

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d", "#9333ea"];

/** series: [{name, values: [share per period], emerging}], labels: period labels. */
export function lineChart(labels, series, { width = 720, height = 260 } = {}) {
  const pad = { left: 44, right: 12, top: 12, bottom: 36 };
  const w = width - pad.left - pad.right;
  const hgt = height - pad.top - pad.bottom;
  const max = Math.max(0.05, ...series.flatMap((s) => s.values)) * 1.1;
  const x = (i) => pad.left + (labels.length <= 1 ? w / 2 : (i * w) / (labels.length - 1));
  const y = (v) => pad.top + hgt - (v / max) * hgt;
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    "aria-label": "topic share over time",
    preserveAspectRatio: "xMidYMid meet",
  });
  const ticks = 4;
  for (let i = 0; i <= ticks; i += 1) {
    const v = (max * i) / ticks;
    root.append(
      svg("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), stroke: "#e5e7eb" }),
      svg("text", { x: pad.left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#6b7280" }, `${Math.round(v * 100)}%`),
    );
  }
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((text, i) => {
    if (i % every === 0 || i === labels.length - 1) {
      root.append(svg("text", { x: x(i), y: height - 12, "text-anchor": "middle", "font-size": 11, fill: "#6b7280" }, text.slice(5)));
    }
  });
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    root.append(
      svg(
        "polyline",
        { points, fill: "none", stroke: color, "stroke-width": s.emerging ? 3.5 : 2 },
        svg("title", {}, s.name),
      ),
    );
    s.values.forEach((v, i) => root.append(svg("circle", { cx: x(i), cy: y(v), r: 2.5, fill: color }, svg("title", {}, `${s.name} ${labels[i]}: ${Math.round(v * 100)}%`))));
  });
  const legend = h(
    "ul",
    { class: "legend" },
    series.map((s, k) => h("li", {}, h("span", { class: `swatch c${k % PALETTE.length}` }), s.name, s.emerging ? h("span", { class: "pill emerging" }, "↑") : null)),
  );
  return h("figure", { class: "chart-box" }, root, legend);
}
