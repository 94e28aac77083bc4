// The pages. Each reads the public query API with the reader's token and shows what it answers;
// a section the reader may not read shows why (the API's 403/404), in the reader's language.
import { CHARTS, Refused, api, download, el, label, lang, t } from "./app.js";
import { stageTimeline } from "./timeline.js";

const pct = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
const day = (value) => (value ? String(value).slice(0, 10) : "—");
const moment = (value) => (value ? String(value).replace("T", " ").slice(0, 19) : "—");
// A moment as the offices write it, in China Standard Time (UTC+8, no daylight saving):
// 2026年12月6日 10:30, or 2026-12-06 10:30 CST in English. The exact value is in `datetime`.
function officeTime(value) {
  if (!value) return el("span", { text: "—" });
  const d = new Date(new Date(value).getTime() + 8 * 3600 * 1000);
  const [y, m, dd, hh, mm] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  const p2 = (n) => String(n).padStart(2, "0");
  const text = lang() === "zh" ? `${y}年${m}月${dd}日 ${p2(hh)}:${p2(mm)}` : `${y}-${p2(m)}-${p2(dd)} ${p2(hh)}:${p2(mm)} CST`;
  return el("time", { datetime: value, text });
}

function card(key, value, figure, cls) {
  return el(
    "div",
    { class: "card", role: "group", "aria-label": t(key) },
    el("div", { class: "k", text: t(key) }),
    el("div", { class: `v ${cls ?? ""}`, "data-figure": figure ?? key, text: value }),
  );
}

function table(caption, headers, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    el("caption", { class: "print-head", text: caption }),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: t(h) })))),
    el("tbody", {}, rows),
  );
}

const num = (value, figure) => el("td", { class: "n", "data-figure": figure ?? null, text: value ?? "—" });

function chart(option, name) {
  const node = el("div", { class: "chart", role: "img", "aria-label": name, "data-chart": "1" });
  CHARTS.set(node, option);
  return node;
}

// A section whose data a reader may be refused: the refusal shows in its place.
async function section(title, build) {
  const box = el("section", { "aria-label": t(title) }, el("h3", { text: t(title) }));
  try {
    box.append(...[await build()].flat());
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    box.append(
      el(
        "div",
        { class: "refused", role: "alert", "data-status": error.status },
        el("p", { text: t({ 403: "refused_403", 404: "refused_404" }[error.status] ?? "refused_other") }),
        el("p", {}, `${t("reason")}: `, el("span", { lang: "en", text: error.detail })),
      ),
    );
  }
  return box;
}

async function overview(root) {
  root.append(el("h2", { text: t("overview") }));
  const parts = await Promise.all([
    section("rounds_in_progress", async () => {
      const rounds = (await api("/dashboards/rounds", { limit: 100 })).items.filter((r) => r.stage !== "closed");
      return table(
        t("rounds_in_progress"),
        ["round_name", "stage", "planned_start", "inspections"],
        rounds.map((r) =>
          el("tr", { "data-round": r.round_id }, el("td", { text: r.name }),
            el("td", { "data-stage": r.stage, text: label("round_stage", r.stage) }),
            el("td", { text: day(r.planned_start) }), num(r.inspections)),
        ),
        { id: "rounds-in-progress" },
      );
    }),
    section("coverage", async () => {
      const terms = (await api("/coverage/terms", { limit: 100 })).items;
      return table(
        t("coverage"),
        ["term", "inspected", "scheduled", "due", "planned", "coverage_rate"],
        terms.map((x) =>
          el("tr", { "data-term": x.term_id }, el("td", { text: x.term }), num(x.inspected, "inspected"),
            num(x.scheduled, "scheduled"), num(x.due, "due"), num(x.planned, "planned"),
            num(pct(x.coverage_rate), "coverage_rate")),
        ),
        { id: "coverage" },
      );
    }),
    section("rect_totals", async () => {
      const totals = (await api("/dashboards/rectification", { limit: 1 })).totals;
      return el("div", { class: "cards", id: "rect-totals" },
        card("total", totals.total), card("closed", totals.closed),
        card("completion_rate", pct(totals.completion_rate)), card("on_time_rate", pct(totals.on_time_rate)),
        card("red", totals.red, "red", "red"), card("yellow", totals.yellow, "yellow", "yellow"),
        card("green", totals.green, "green", "green"));
    }),
    section("open_leads", async () => {
      const rounds = (await api("/dashboards/leads", { limit: 100 })).rounds.items;
      return [
        table(t("open_leads"), ["round_name", "open", "cleared"],
          rounds.map((r) => el("tr", { "data-round": r.round_id }, el("td", { text: r.name }),
            num(r.open, "open"), el("td", { text: t(r.cleared ? "yes" : "no") }))),
          { id: "open-leads" }),
        chart({
          tooltip: {}, xAxis: { type: "category", data: rounds.map((r) => r.name) },
          yAxis: { type: "value" }, series: [{ type: "bar", name: t("open"), data: rounds.map((r) => r.open) }],
        }, t("open_leads")),
      ];
    }),
    section("trend", async () => {
      const months = (await api("/dashboards/rectification/trend")).months;
      return [
        chart({
          tooltip: { trigger: "axis" }, legend: {},
          xAxis: { type: "category", data: months.map((m) => m.month) }, yAxis: { type: "value" },
          series: [
            { type: "line", name: t("opened_month"), data: months.map((m) => m.opened) },
            { type: "line", name: t("closed_month"), data: months.map((m) => m.closed) },
          ],
        }, t("trend")),
        table(t("trend"), ["month", "opened_month", "closed_month"],
          months.map((m) => el("tr", {}, el("td", { text: m.month }), num(m.opened, "opened"), num(m.closed, "closed"))),
          { id: "trend", class: "compact" }),
      ];
    }),
  ]);
  root.append(...parts);
}

const GROUPINGS = { organization: "by_org", leader: "by_leader", supervising_department: "by_sd" };

async function rectification(root, args) {
  if (args[0] === "item") return rectificationItem(root, args[1]);
  const groupBy = GROUPINGS[args[0]] ? args[0] : "organization";
  const select = el("select", { id: "group-by" },
    Object.entries(GROUPINGS).map(([v, k]) => el("option", { value: v, selected: v === groupBy, text: t(k) })));
  select.addEventListener("change", () => { location.hash = `#/rectification/${select.value}`; });
  root.append(
    el("h2", { text: t("rectification") }),
    el("div", { class: "controls" }, el("label", { for: "group-by" }, t("group_by"), select),
      el("button", { type: "button", onclick: () => window.print(), text: t("print") })),
    el("div", { class: "print-head", text: t("ledger") }),
  );
  root.append(await section("aging", async () => {
    const board = await api("/dashboards/rectification", { group_by: groupBy, limit: 500 });
    return table(t("aging"),
      ["group", "total", "closed", "completion_rate", "not_overdue", "d1_30", "d31_90", "d91_180", "d180", "red", "yellow", "green"],
      board.groups.items.map((g) => el("tr", { "data-key": g.key ?? "" },
        el("td", { text: g.organization_name ? (groupBy === "leader" ? `${g.key} · ${g.organization_name}` : g.organization_name) : g.key ?? t("none") }),
        num(g.total, "total"), num(g.closed, "closed"), num(pct(g.completion_rate), "completion_rate"),
        num(g.not_overdue), num(g.overdue_1_30), num(g.overdue_31_90), num(g.overdue_91_180), num(g.overdue_over_180),
        num(g.red, "red"), num(g.yellow, "yellow"), num(g.green, "green"))),
      { id: "groups" });
  }));
  root.append(await section("ledger", async () => {
    const items = (await api("/rectification-items", { limit: 500 })).items;
    return table(t("ledger"), ["organization", "problem", "leader", "deadline", "status", "colour"],
      items.map((i) => el("tr", { "data-item": i.item_id, "data-organization": i.organization_id },
        el("td", { text: i.organization_name }),
        el("td", {}, el("a", { href: `#/rectification/item/${i.item_id}`, text: i.problem })),
        el("td", { text: i.responsible_leader }), el("td", { text: day(i.deadline) }),
        el("td", { text: label("rectification_item_status", i.status) }),
        el("td", { class: i.colour ?? "", text: i.colour ? label("warning_level", i.colour) : "—" }))),
      { id: "ledger" });
  }));
}

function historyTable(history) {
  return table(t("history"), ["when", "who", "what", "why", "changes"],
    history.items.map((e) => el("tr", { "data-version": e.version },
      el("td", { text: moment(e.occurred_at) }),
      el("td", { text: `${e.actor.user_id} (${label("role", e.actor.role)})` }),
      el("td", { text: e.type }), el("td", { text: e.reason ?? "—" }),
      el("td", {}, el("ul", { class: "changes" }, (e.changes ?? []).slice(0, 12).map((c) =>
        el("li", { text: `${c.path}: ${JSON.stringify(c.before ?? null)} → ${JSON.stringify(c.after ?? null)}` })))))),
    { id: "history" });
}

async function rectificationItem(root, itemId) {
  root.append(el("p", { class: "noprint" }, el("a", { href: "#/rectification", text: t("back") })));
  const item = await api(`/rectification-items/${itemId}`);
  root.append(
    el("h2", { text: `${item.organization_name} · ${item.problem}` }),
    el("div", { class: "controls" }, el("button", { type: "button", onclick: () => window.print(), text: t("print") })),
    el("dl", { id: "item" },
      el("dt", { text: t("leader") }), el("dd", { text: item.responsible_leader }),
      el("dt", { text: t("deadline") }), el("dd", { text: day(item.deadline) }),
      el("dt", { text: t("status") }), el("dd", { text: label("rectification_item_status", item.status) })),
    await section("history", async () => historyTable(await api(`/history/${itemId}`, { limit: 500 }))),
  );
}

async function rounds(root, args) {
  root.append(el("h2", { text: t("round") }));
  const list = (await api("/dashboards/rounds", { limit: 100 })).items;
  const chosen = args[0] ?? list[0]?.round_id;
  const select = el("select", { id: "round" },
    list.map((r) => el("option", { value: r.round_id, selected: r.round_id === chosen, text: r.name })));
  select.addEventListener("change", () => { location.hash = `#/round/${select.value}`; });
  root.append(el("div", { class: "controls" }, el("label", { for: "round" }, t("choose_round"), select)));
  if (!chosen) return;
  const board = await api(`/dashboards/rounds/${chosen}`, { limit: 100 });
  const x = board.totals;
  root.append(
    el("p", {}, `${t("stage")}: `, el("span", { "data-figure": "stage", text: label("round_stage", board.round.stage) })),
    el("div", { class: "cards", id: "round-totals" }, card("inspections", x.inspections), card("petitions", x.petitions_received, "petitions"),
      card("interviews", x.interviews_held, "interviews"), card("findings", x.findings), card("findings_approved", x.findings_approved)),
    el("h3", { text: t("by_category") }),
    table(t("by_category"), ["category", "count"],
      x.findings_by_category.map((c) => el("tr", {}, el("td", { text: label("finding_category", c.category) }), num(c.findings)))),
    el("h3", { text: t("leads_by_state") }),
    table(t("leads_by_state"), ["status", "count"],
      Object.entries(x.leads_by_state).map(([k, v]) => el("tr", {}, el("td", { text: label("lead_stage", k) }), num(v)))),
    el("h3", { text: t("groups") }),
    table(t("groups"), ["group", "organization", "stage", "petitions", "interviews", "findings"],
      board.groups.items.flatMap((g) => g.inspections_detail.map((i) => el("tr", {},
        el("td", { text: g.group_name }), el("td", { text: i.organization_name }),
        el("td", { text: `${label("inspection_stage", i.stage)} (${day(i.stationed_on)} – ${day(i.withdrawn_on)})` }),
        num(i.petitions_received), num(i.interviews_held), num(i.findings))))),
    stageTimeline(board.groups.items),
  );
}

async function leads(root) {
  root.append(el("h2", { text: t("leads") }));
  const board = await api("/dashboards/leads", { limit: 100 });
  const x = board.totals;
  root.append(
    el("div", { class: "cards", id: "lead-totals" }, card("transferred", x.transferred), card("disposed", x.disposed),
      card("disposal_rate", pct(x.disposal_rate)), card("ack_avg", x.acknowledgement.average_days ?? "—"),
      card("ack_p50", x.acknowledgement.p50_days ?? "—"), card("open", x.open)),
    el("h3", { text: t("four_forms") }),
    table(t("four_forms"), ["category", "count"],
      Object.entries(x.four_forms).map(([k, v]) => el("tr", {}, el("td", { text: label("four_forms", k) }), num(v)))),
    chart({ tooltip: {}, series: [{ type: "pie", radius: "60%",
      data: Object.entries(x.four_forms).map(([k, v]) => ({ name: label("four_forms", k), value: v })) }] }, t("four_forms")),
    el("h3", { text: t("open_leads") }),
    table(t("open_leads"), ["round_name", "stage", "open", "cleared"],
      board.rounds.items.map((r) => el("tr", {}, el("td", { text: r.name }), el("td", { text: label("round_stage", r.stage) }),
        num(r.open), el("td", { text: t(r.cleared ? "yes" : "no") })))),
  );
}

async function results(root) {
  root.append(el("h2", { text: t("results") }));
  const rows = (await api("/shared-results", { limit: 500 })).items;
  root.append(table(t("results"), ["organization", "year", "basis", "published_on", "findings_total", "completion_rate"],
    rows.map((r) => el("tr", { "data-organization": r.organization_id }, el("td", { text: r.organization_name }), num(r.year),
      el("td", { text: r.basis }), el("td", { text: day(r.published_on) }), num(r.findings_total),
      num(pct(r.rectification?.completion_rate ?? null)))), { id: "results" }));
}

async function inspectors(root, args) {
  if (args[0]) return inspectorRecord(root, args[0]);
  root.append(el("h2", { text: t("inspectors") }));
  const rows = (await api("/inspectors", { limit: 500 })).items;
  root.append(table(t("inspectors"), ["name", "employer", "rounds_served", "as_leader", "as_member"],
    rows.map((p) => el("tr", {}, el("td", {}, el("a", { href: `#/inspectors/${encodeURIComponent(p.user_id)}`, text: p.name ?? p.user_id })),
      el("td", { text: p.employer_organization ?? "—" }), num(p.rounds_served), num(p.as_leader), num(p.as_member))),
    { id: "inspectors" }));
}

async function inspectorRecord(root, personId) {
  root.append(el("p", {}, el("a", { href: "#/inspectors", text: t("back") })));
  const r = await api(`/inspectors/${encodeURIComponent(personId)}/record`);
  root.append(el("h2", { text: r.name ?? r.user_id }),
    el("div", { class: "cards" }, card("rounds_served", r.rounds_served), card("as_leader", r.as_leader), card("as_member", r.as_member)),
    el("h3", { text: t("services") }),
    el("pre", { text: JSON.stringify(r.services, null, 1) }));
}

const AUDIT_FIELDS = ["actor_user_id", "actor_role", "type", "since", "until", "correlation_id"];

async function audit(root, args) {
  if (args[0]) return auditRecord(root, args[0], args[1]);
  root.append(el("h2", { text: t("audit") }));
  const query = Object.fromEntries(new URLSearchParams(location.hash.split("?")[1] ?? ""));
  const keys = { actor_user_id: "actor", actor_role: "role", type: "type", since: "since", until: "until", correlation_id: "correlation" };
  const form = el("form", { class: "controls", role: "search" },
    AUDIT_FIELDS.map((f) => el("label", { for: `q-${f}` }, t(keys[f]), el("input", { id: `q-${f}`, name: f, value: query[f] ?? "" }))),
    el("button", { type: "submit", text: t("search") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    location.hash = `#/audit?${params}`;
  });
  const page = await api("/audit-trail", { ...query, limit: 200 }); // refused: the whole page is
  root.append(await section("integrity", logIntegrity), form, exportForm(query));
  root.append(table(t("audit"), ["position", "when", "actor", "role", "type", "stream"],
    page.items.map((e) => el("tr", { "data-position": e.position }, num(e.position), el("td", { text: moment(e.occurred_at) }),
      el("td", { text: e.actor_user_id }), el("td", { text: label("role", e.actor_role) }), el("td", { text: e.type }),
      el("td", {}, el("a", { href: `#/audit/${e.stream_id}`, text: `${e.stream_type} ${e.stream_id.slice(0, 8)}` })))),
    { id: "audit-trail" }));
}

// The hash chain's state as recorded by the last verifications (GET /audit/log-integrity):
// ok or broken in words (not colour only), the positions, and the newest signed checkpoint.
async function logIntegrity() {
  const r = await api("/audit/log-integrity");
  const v = r.latest_verification;
  const full = r.latest_full_verification;
  const cp = r.last_checkpoint;
  const stateText = { ok: t("integrity_ok"), broken: t("integrity_broken"), unverified: t("integrity_unverified") }[r.state];
  const mark = { ok: "✔", broken: "✘", unverified: "?" }[r.state];
  const row = (key, ...value) => el("tr", {}, el("th", { scope: "row", text: t(key) }), el("td", { "data-figure": key }, ...value));
  const verdict = (run) => (run ? `${run.ok ? t("integrity_ok") : t("integrity_broken")} · ${t(`kind_${run.kind}`)} · ${run.run_by}` : t("none"));
  const signature = cp ? { true: t("signature_valid"), false: t("signature_invalid"), null: t("signature_unknown") }[String(cp.signature_valid)] : "—";
  const rows = [
    row("head_position", String(r.head_position)),
    row("last_verified", v ? officeTime(v.finished_at) : t("none")),
    row("verification", verdict(v)),
    row("verified_through", v ? String(v.through_position) : "—"),
    row("verified_events", v ? String(v.events) : "—"),
    row("checkpoints_verified", v ? String(v.checkpoints_verified) : "—"),
    row("unverified_events", String(r.unverified_events)),
  ];
  if (v && !v.ok) {
    rows.push(row("first_bad_position", String(v.first_bad_position)),
      row("bad_reason", el("span", { lang: "en", text: v.reason })));
  }
  rows.push(row("last_full_verified", full ? officeTime(full.finished_at) : t("none")),
    row("full_verification", verdict(full)),
    row("checkpoint_position", cp ? String(cp.position) : t("none")),
    row("checkpoint_tree_size", cp?.tree_size === null || !cp ? "—" : String(cp.tree_size)),
    row("checkpoint_signed_at", cp ? officeTime(cp.signed_at) : "—"),
    row("checkpoint_key", cp ? cp.key_id : "—"),
    row("checkpoint_signature", signature),
    row("checkpoint_link", el("code", { text: cp ? cp.link : "—" })));
  return [
    el("p", { id: "log-integrity-state", class: `integrity ${r.state}`, role: "status", "data-state": r.state },
      el("span", { "aria-hidden": "true", text: `${mark} ` }), `${t("chain")}${lang() === "zh" ? "：" : ": "}${stateText}`),
    table(t("integrity"), ["item", "value"], rows, { id: "log-integrity" }),
    el("p", { class: "note", text: t("integrity_note") }),
  ];
}

// Export of the filtered trail (JSON Lines): the API records who exported, why and what.
function exportForm(query) {
  const reason = el("input", { id: "export-reason", name: "reason", required: true });
  const form = el("form", { class: "controls noprint", id: "export" },
    el("label", { for: "export-reason" }, t("why"), reason),
    el("button", { type: "submit", text: t("export") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const blob = await download("/audit-trail/export", { ...query, reason: reason.value, format: "ndjson" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "audit-trail.ndjson" });
    document.body.append(link);
    link.click();
    link.remove();
  });
  return form;
}

async function auditRecord(root, streamId, at) {
  root.append(el("p", { class: "noprint" }, el("a", { href: "#/audit", text: t("back") })),
    el("h2", { text: `${t("timeline")} · ${streamId}` }));
  const input = el("input", { id: "at", type: "datetime-local", step: "1", value: at ? at.slice(0, 19) : "" });
  const form = el("form", { class: "controls noprint" }, el("label", { for: "at" }, t("at"), input),
    el("button", { type: "submit", text: t("show_state") }),
    el("button", { type: "button", onclick: () => window.print(), text: t("print") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value) location.hash = `#/audit/${streamId}/${encodeURIComponent(`${input.value}Z`)}`;
  });
  root.append(el("h3", { text: t("time_travel") }), form);
  if (at) {
    root.append(await section("state", async () => {
      const s = await api(`/history/${streamId}/state`, { at });
      return [el("p", { id: "state-version" }, `${t("version")}: `, el("span", { "data-figure": "version", text: s.version }),
        ` · ${t("last_event")}: ${s.last_event.type} (${moment(s.last_event.occurred_at)})`),
        el("pre", { id: "state", text: JSON.stringify(s.state, null, 2) })];
    }));
  }
  root.append(await section("history", async () => historyTable(await api(`/history/${streamId}`, { limit: 500 }))));
}

export const PAGES = {
  overview: { render: overview },
  rectification: { render: rectification },
  round: { render: rounds },
  leads: { render: leads },
  results: { render: results },
  inspectors: { render: inspectors },
  audit: { render: audit },
};
