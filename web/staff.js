// The staff dashboard: GET /admin/v1/analytics with a staff token (same origin), drawn as four
// SVG charts from that JSON alone. The token stays in this tab (sessionStorage), never in a URL.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const OUTCOMES = [
  ["ordered", "#1f6f3a"], ["cancelled_or_returned", "#7a4fa3"], ["order_status_answered", "#0b5cad"],
  ["handed_over", "#d98a00"], ["abandoned", "#a4260b"], ["nothing_needed", "#8a8a92"],
];
const $ = (id) => document.getElementById(id);

function element(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function percent(value) { return `${Math.round(value * 100)}%`; }

/// Clears a chart and sets its drawing size; returns the svg.
function canvas(chart, width, height) {
  const svg = document.querySelector(`[data-chart="${chart}"] svg`);
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.dataset.marks = "0";
  return svg;
}

/// A mark that carries data: counted for the page's readers (and its test).
function mark(svg, node, value) {
  node.dataset.value = String(value);
  svg.appendChild(node);
  if (value > 0) svg.dataset.marks = String(Number(svg.dataset.marks) + 1);
}

function legend(chart, entries) {
  const list = document.querySelector(`[data-chart="${chart}"] .legend`);
  list.replaceChildren(...entries.map(([name, color]) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.style.background = color;
    item.append(swatch, name.replaceAll("_", " "));
    return item;
  }));
}

function empty(svg, width, height) {
  svg.appendChild(element("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "No conversations in this window"));
}

function outcomesPerDay(days) {
  const width = 640, height = 240, left = 36, bottom = 24;
  const svg = canvas("outcomes", width, height);
  legend("outcomes", OUTCOMES);
  if (days.length === 0) return empty(svg, width, height);
  const most = Math.max(...days.map((day) => day.conversations), 1);
  const slot = (width - left) / days.length, bar = Math.min(48, slot * 0.7);
  svg.appendChild(element("text", { x: 0, y: 12 }, String(most)));
  days.forEach((day, index) => {
    const x = left + index * slot + (slot - bar) / 2;
    let y = height - bottom;
    for (const [name, color] of OUTCOMES) {
      const count = day.outcomes[name] || 0;
      const tall = (count / most) * (height - bottom - 16);
      y -= tall;
      const rect = element("rect", { x, y, width: bar, height: tall, fill: color });
      rect.appendChild(element("title", {}, `${day.day}: ${count} ${name.replaceAll("_", " ")}`));
      mark(svg, rect, count);
    }
    svg.appendChild(element("text", { x: x + bar / 2, y: height - 6, "text-anchor": "middle" }, day.day.slice(5)));
  });
}

function funnel(steps) {
  const width = 640, row = 34, height = steps.length * row + 8, left = 90;
  const svg = canvas("funnel", width, height);
  const most = Math.max(...steps.map((step) => step.conversations), 1);
  steps.forEach((step, index) => {
    const y = 4 + index * row;
    svg.appendChild(element("text", { x: 0, y: y + 20 }, step.step.replace("_", "-")));
    const long = ((width - left - 120) * step.conversations) / most;
    mark(svg, element("rect", { x: left, y, width: long, height: row - 8, fill: "#0b5cad", rx: 3 }), step.conversations);
    const drop = index > 0 ? `  (−${step.dropOff})` : "";
    svg.appendChild(element("text", { x: left + long + 8, y: y + 20 }, `${step.conversations}${drop}`));
  });
}

function ratesPerDay(days) {
  const width = 640, height = 220, left = 36, bottom = 24, top = 10;
  const svg = canvas("rates", width, height);
  const lines = [["first-contact resolution", "#1f6f3a", (day) => day.firstContactResolution.rate],
                 ["hand-over rate", "#d98a00", (day) => day.handoverRate.rate]];
  legend("rates", lines.map(([name, color]) => [name, color]));
  if (days.length === 0) return empty(svg, width, height);
  for (const fraction of [0, 0.5, 1]) {
    const y = top + (1 - fraction) * (height - bottom - top);
    svg.appendChild(element("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#d0d0d6" }));
    svg.appendChild(element("text", { x: 0, y: y + 4 }, percent(fraction)));
  }
  // Room on the right for the last day's label.
  const step = days.length > 1 ? (width - left - 50) / (days.length - 1) : 0;
  const at = (index, value) => [left + 20 + index * step, top + (1 - value) * (height - bottom - top)];
  for (const [name, color, value] of lines) {
    const points = days.map((day, index) => at(index, value(day)));
    svg.appendChild(element("polyline", { points: points.map((p) => p.join(",")).join(" "), fill: "none", stroke: color, "stroke-width": 3 }));
    points.forEach(([x, y], index) => {
      const dot = element("circle", { cx: x, cy: y, r: 5, fill: color });
      dot.appendChild(element("title", {}, `${days[index].day}: ${name} ${percent(value(days[index]))}`));
      mark(svg, dot, days[index].conversations);
    });
  }
  days.forEach((day, index) => {
    svg.appendChild(element("text", { x: at(index, 0)[0], y: height - 6, "text-anchor": "middle" }, day.day.slice(5)));
  });
}

function rejectionsByChannel(channels) {
  const names = Object.keys(channels).sort();
  const width = 640, row = 34, height = Math.max(names.length, 1) * row + 8, left = 70;
  const svg = canvas("rejections", width, height);
  if (names.length === 0) return empty(svg, width, height);
  names.forEach((name, index) => {
    const y = 4 + index * row, figures = channels[name];
    svg.appendChild(element("text", { x: 0, y: y + 20 }, name));
    const long = (width - left - 170) * figures.rejectionRate;
    mark(svg, element("rect", { x: left, y, width: Math.max(long, 1), height: row - 8, fill: "#a4260b", rx: 3 }), figures.turns);
    svg.appendChild(element("text", { x: left + long + 8, y: y + 20 }, `${percent(figures.rejectionRate)} of ${figures.turns} turns`));
  });
}

function show(report) {
  $("conversations").textContent = String(report.conversations);
  $("fcr").textContent = `${percent(report.firstContactResolution.rate)} (${report.firstContactResolution.count} of ${report.firstContactResolution.of})`;
  $("handover").textContent = `${percent(report.handoverRate.rate)} (${report.handoverRate.count} of ${report.handoverRate.of})`;
  $("turns").textContent = report.turnsPerConversation.toFixed(1);
  outcomesPerDay(report.days);
  funnel(report.funnel);
  ratesPerDay(report.days);
  rejectionsByChannel(report.channels);
  $("figures").hidden = false;
  document.body.dataset.loaded = "true";
}

async function load() {
  const token = $("token").value.trim();
  if (!token) return;
  const query = new URLSearchParams({ since: $("since").value });
  if ($("channel").value) query.set("channel", $("channel").value);
  $("status").className = "status";
  $("status").textContent = "Loading…";
  try {
    const response = await fetch(`/admin/v1/analytics?${query}`, { headers: { Authorization: `Bearer ${token}` } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      // A refused token is not kept for the next visit.
      if (response.status === 401 || response.status === 403) sessionStorage.removeItem("talkshop-staff-token");
      const why = response.status === 401 || response.status === 403 ? "That token is not a staff member's (operator or officer)." : body.message || `The server said ${response.status}.`;
      throw new Error(why);
    }
    sessionStorage.setItem("talkshop-staff-token", token);
    show(body);
    $("status").className = "status good";
    $("status").textContent = `${body.conversations} conversations since ${body.since.slice(0, 10)}.`;
  } catch (error) {
    $("figures").hidden = true;
    document.body.dataset.loaded = "false";
    $("status").className = "status bad";
    $("status").textContent = error.message;
  }
}

$("ask").addEventListener("submit", (event) => { event.preventDefault(); load(); });
document.body.dataset.ready = "true";
const saved = sessionStorage.getItem("talkshop-staff-token");
if (saved) { $("token").value = saved; load(); }
