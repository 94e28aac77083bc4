// The round page's timeline of stages: per group, each inspection a row of stage segments on
// one date axis for the whole round, from its first stage to its closure (today, office time,
// for an inspection still open). Drawn in HTML and CSS; each segment is a list item with its
// stage and day as text, and every group has a table of the same dates for keyboard readers.
import { el, label, lang, t } from "./app.js";

const DAY_MS = 86_400_000;
const days = (iso) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOf = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);

// The offices' calendar day now (China Standard Time), as the API counts days.
export function officeToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

// A day as the offices write it: 2026年2月20日 (English: 2026-02-20).
export function officeDate(iso) {
  if (!iso) return "—";
  if (lang() !== "zh") return iso;
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

const TERMINAL = new Set(["closed", "cancelled"]);
// Segments are coloured by phase; the stage's name is in the text and the table.
const PHASES = {
  planned: "prep", group_authorized: "prep", notified: "prep", announced: "prep",
  stationed: "site", withdrawn: "report", report_drafted: "report", report_office_reviewed: "report",
  report_returned: "report", report_deliberated: "report", report_approved: "report",
  feedback_delivered: "rect", plan_submitted: "rect", plan_returned: "rect", rectifying: "rect",
  rectification_report_submitted: "rect", rectification_report_returned: "rect",
  rectification_report_accepted: "rect", closed: "end", cancelled: "halt", suspended: "halt",
};

// Where each stage is drawn: from its day to the next stage's. A stage dated by the day it was
// recorded (the event states no day) can come after a later stage's day of fact when a history
// is entered late: it is drawn no later than the next stage, and its own day stays in the text.
export function segments(stages, today) {
  const out = [];
  let bound = Infinity;
  for (let i = stages.length - 1; i >= 0; i -= 1) {
    const s = stages[i];
    const from = Math.min(days(s.entered_on), bound);
    const last = i === stages.length - 1;
    const to = last ? (TERMINAL.has(s.stage) ? from : Math.max(from, days(today))) : out[0].from;
    out.unshift({ ...s, from, to, moved: from !== days(s.entered_on) });
    bound = from;
  }
  return out;
}

const datedBy = (s) => label("stage_dated_by", s.dated_by);

function text(s) {
  const stage = label("inspection_stage", s.stage);
  return lang() === "zh"
    ? `${stage}：${officeDate(s.entered_on)}（${datedBy(s)}）`
    : `${stage}: ${officeDate(s.entered_on)} (${datedBy(s)})`;
}

// Axis ticks: months for a short span, quarters, then years.
function ticks(start, end) {
  const span = end - start;
  const step = span <= 550 ? 1 : span <= 1100 ? 3 : 12;
  const first = new Date(start * DAY_MS);
  let y = first.getUTCFullYear();
  let m = Math.ceil((first.getUTCMonth() + (first.getUTCDate() > 1 ? 1 : 0)) / step) * step;
  const out = [];
  for (;;) {
    const at = Date.UTC(y + Math.floor(m / 12), m % 12, 1) / DAY_MS;
    if (at > end) break;
    const iso = isoOf(at);
    out.push({ at, text: lang() === "zh" ? `${iso.slice(0, 4)}年${Number(iso.slice(5, 7))}月` : iso.slice(0, 7) });
    m += step;
  }
  return out;
}

function row(line, start, span, today) {
  const place = (n) => `${(((n - start) / span) * 100).toFixed(3)}%`;
  const track = el("ol", {
    class: "tl-track", tabindex: "0",
    "aria-label": `${line.organization_name} · ${t("stage_timeline")}`,
  });
  for (const s of segments(line.stages, today)) {
    const item = el("li", {
      class: `tl-seg ${PHASES[s.stage] ?? "prep"} ${s.dated_by}`,
      "data-stage": s.stage, "data-entered-on": s.entered_on, "data-dated-by": s.dated_by,
      title: text(s),
    }, el("span", { class: "sr-only", text: text(s) }));
    item.style.left = place(s.from);
    item.style.width = place(start + (s.to - s.from));
    track.append(item);
  }
  return el("div", { class: "tl-row", "data-inspection": line.inspection_id },
    el("div", { class: "tl-org", text: line.organization_name }), track);
}

function datesTable(group) {
  return el("details", { class: "tl-dates" },
    el("summary", { text: `${t("stage_dates_table")} · ${group.group_name}` }),
    el("table", { class: "compact", "data-group": group.group_name },
      el("caption", { class: "print-head", text: `${group.group_name} · ${t("stage_timeline")}` }),
      el("thead", {}, el("tr", {}, ["organization", "stage", "entered_on", "dated_by"].map((h) => el("th", { scope: "col", text: t(h) })))),
      group.inspections_detail.map((line) => el("tbody", { "data-inspection": line.inspection_id },
        line.stages.map((s, i) => el("tr", { "data-stage": s.stage },
          i === 0 ? el("th", { scope: "rowgroup", rowspan: line.stages.length, text: line.organization_name }) : null,
          el("td", { text: label("inspection_stage", s.stage) }),
          el("td", { class: "entered-on", "data-entered-on": s.entered_on, text: officeDate(s.entered_on) }),
          el("td", { text: datedBy(s) })))))));
}

// The timeline of every group of the dashboard answer (`/dashboards/rounds/{id}`).
export function stageTimeline(groups) {
  const today = officeToday();
  const lines = groups.flatMap((g) => g.inspections_detail).filter((i) => i.stages.length);
  const box = el("section", { id: "stage-timeline", "aria-labelledby": "stage-timeline-h" },
    el("h3", { id: "stage-timeline-h", text: t("stage_timeline") }),
    el("p", { class: "tl-legend" }, t("timeline_legend")));
  if (!lines.length) return box;
  const drawn = lines.map((i) => segments(i.stages, today));
  const start = Math.min(...drawn.map((s) => s[0].from));
  const end = Math.max(start + 30, ...drawn.map((s) => s[s.length - 1].to));
  const span = end - start;
  const axis = el("div", { class: "tl-axis", "aria-hidden": "true" });
  for (const tick of ticks(start, end)) {
    const mark = el("span", { text: tick.text });
    mark.style.left = `${(((tick.at - start) / span) * 100).toFixed(3)}%`;
    axis.append(mark);
  }
  for (const g of groups) {
    const shown = g.inspections_detail.filter((i) => i.stages.length);
    if (!shown.length) continue;
    box.append(el("figure", { class: "tl-group", "data-group": g.group_name },
      el("figcaption", { text: g.group_name }),
      el("div", { class: "tl-head" }, el("div", { class: "tl-org" }), axis.cloneNode(true)),
      shown.map((line) => row(line, start, span, today))),
    datesTable({ ...g, inspections_detail: shown }));
  }
  return box;
}
