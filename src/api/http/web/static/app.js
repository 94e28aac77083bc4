// The pages' shell: sign-in, language, navigation, the API client and the freshness stream.
// Every figure and every scope rule is the API's: the pages only show what it answers.
import { LABELS } from "./i18n.js";
import { PAGES } from "./pages.js";

const LANG_KEY = "xuncha.lang"; // the language may be remembered; the token never is
const state = {
  token: null, // in memory only (never localStorage): a reload signs out
  user: null,
  lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh",
  vocabulary: null,
  stream: null,
};

export const t = (key) => LABELS[state.lang][key] ?? key;
export const lang = () => state.lang;

export class Refused extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

export async function api(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== "") url.searchParams.set(k, v);
  }
  // Without a token of our own, the single sign-on gateway adds the Authorization header.
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  const response = await fetch(url, { headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Refused(response.status, body?.detail ?? response.statusText);
  return body;
}

// A file the API streams (exports), with the reader's token.
export async function download(path, params) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Refused(response.status, (await response.json().catch(() => null))?.detail);
  return response.blob();
}

// Label of a vocabulary value (GET /vocabulary) in the reader's language.
export function label(vocabulary, value) {
  if (value === null || value === undefined) return t("none");
  const entry = state.vocabulary?.[vocabulary]?.[value];
  return entry ? entry[state.lang] : String(value);
}

export function vocabularyLabel(name) {
  const entry = state.vocabulary?.__names?.[name];
  return entry ? entry[state.lang] : name;
}

async function loadVocabulary() {
  const answer = await api("/vocabulary");
  const entries = Array.isArray(answer) ? answer : answer.items ?? answer.vocabularies ?? [];
  const byName = { __names: {} };
  for (const entry of entries) {
    byName.__names[entry.name] = entry;
    byName[entry.name] = Object.fromEntries(entry.values.map((v) => [v.value, v]));
  }
  state.vocabulary = byName;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function refusal(error) {
  const key = { 401: "refused_401", 403: "refused_403", 404: "refused_404" }[error.status];
  return el(
    "div",
    { class: "refused", role: "alert", "data-status": error.status ?? "" },
    el("p", { text: t(key ?? "refused_other") }),
    error.detail ? el("p", {}, `${t("reason")}: `, el("span", { lang: "en", text: error.detail })) : null,
  );
}

function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  return { name: PAGES[name] ? name : "overview", args: rest.map(decodeURIComponent) };
}

let rendering = 0;
export async function render() {
  const main = document.getElementById("main");
  applyLabels();
  if (!state.token && !state.user) return renderSignIn(main);
  const { name, args } = route();
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.page === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const mine = ++rendering;
  const hash = location.hash;
  const page = document.createElement("div");
  try {
    await PAGES[name].render(page, args);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    page.replaceChildren(el("h2", { text: t(name) }), refusal(error));
  }
  if (mine !== rendering || hash !== location.hash) return; // a newer render started meanwhile
  const scroll = window.scrollY;
  main.replaceChildren(...page.childNodes);
  window.scrollTo(0, scroll);
  for (const chart of main.querySelectorAll("[data-chart]")) drawChart(chart);
  main.dataset.rendered = String(mine);
  main.dataset.hash = location.hash; // what was rendered (tests wait for it)
}

export const CHARTS = new WeakMap();
function drawChart(node) {
  if (!window.echarts) return;
  // Time to the first chart after sign-in (docs/pages.md, "Weight and speed").
  performance.getEntriesByName("first-chart").length || performance.mark("first-chart");
  const chart = window.echarts.init(node, null, { renderer: "canvas" });
  chart.setOption({ animation: false, ...CHARTS.get(node) }); // drawn at once: print, screenshots
}

function applyLabels() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  const toggle = document.getElementById("lang");
  toggle.textContent = t("lang");
  toggle.setAttribute("aria-label", state.lang === "zh" ? "Switch to English" : "切换到中文");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav"));
  nav.replaceChildren(
    ...Object.keys(PAGES).map((name) => el("a", { href: `#/${name}`, "data-page": name, text: t(name) })),
  );
  nav.hidden = !state.user;
  document.getElementById("signout").hidden = !state.user;
  const who = document.getElementById("who");
  who.textContent = state.user
    ? `${t("signed_in_as")}: ${state.user.name ?? state.user.user_id} (${label("role", state.user.role)})`
    : "";
  document.title = `${t("title")} · Xuncha`;
}

async function renderSignIn(main) {
  const form = el("form", { "aria-labelledby": "signin-h" });
  const body = [el("h2", { id: "signin-h", text: t("signin") }), form];
  const dev = await fetch("/dev/sign-in").then((r) => (r.ok ? r.json() : null));
  if (dev) {
    const select = el(
      "select",
      { id: "user", name: "user" },
      dev.users.map((u) => el("option", { value: u.user_id, text: `${u.name} · ${u.role} · ${u.user_id}` })),
    );
    form.append(el("label", { for: "user" }, t("signin_dev"), select), el("button", { type: "submit", text: t("signin_as") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const answer = await fetch("/dev/sign-in", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: select.value }),
      }).then((r) => r.json());
      await signedIn(answer.token, answer.user);
    });
  } else {
    const input = el("input", { id: "token", type: "password", autocomplete: "off" });
    form.append(el("label", { for: "token" }, t("signin_prod"), input), el("button", { type: "submit", text: t("signin") }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await signedIn(input.value.trim(), null);
    });
    // Behind the gateway the API already knows the reader: try without a token of our own.
    try {
      await loadVocabulary();
      return signedIn(null, { user_id: "", name: "", role: "" });
    } catch {
      /* not behind a gateway: ask for a token */
    }
  }
  main.replaceChildren(...body);
  form.querySelector("select, input")?.focus();
}

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(decodeURIComponent(escape(atob(part))));
    return { user_id: json.sub, role: json.role, organization_id: json.org, name: json.sub };
  } catch {
    return { user_id: "?", role: "", name: "?" };
  }
}

async function signedIn(token, user) {
  performance.mark("signed-in");
  state.token = token || null;
  state.user = user ?? claims(token);
  await loadVocabulary();
  watchPositions();
  // pushState, not `location.hash =`: the hashchange would start a second render (and ask
  // the page's queries twice) while this one runs.
  if (!location.hash) history.pushState(null, "", "#/overview");
  await render();
  document.getElementById("main").focus();
}

// One stream per page: the read models' positions; a move refetches the page's figures.
async function watchPositions() {
  const controller = new AbortController();
  state.stream?.abort();
  state.stream = controller;
  let last = null;
  while (!controller.signal.aborted) {
    try {
      const headers = state.token ? { Authorization: `Bearer ${state.token}` } : {};
      const response = await fetch("/read-models/positions/stream", { headers, signal: controller.signal });
      if (!response.ok) return;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split("\n").find((line) => line.startsWith("data: "));
          if (!data) continue;
          const positions = data.slice(6);
          if (last !== null && positions !== last) scheduleRefresh();
          last = positions;
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

let refreshTimer = null;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => render(), 300); // one refetch for a burst of moves
}

function signOut() {
  state.stream?.abort();
  state.token = null;
  state.user = null;
  history.pushState(null, "", location.pathname + location.search); // no hashchange: one render
  render();
}

document.getElementById("lang").addEventListener("click", () => {
  state.lang = state.lang === "zh" ? "en" : "zh";
  localStorage.setItem(LANG_KEY, state.lang);
  render();
});
document.getElementById("signout").addEventListener("click", signOut);
window.addEventListener("hashchange", () => render());
render();
