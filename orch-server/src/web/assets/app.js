// orch's web view: one page, routed by the URL's #fragment, reading PE's API under
// /orchestrator/v1. The token (when the server asks for one) lives in sessionStorage and goes
// in the X-Authentication header of every call, never in a URL.
"use strict";

const API = "/orchestrator/v1";
const TOKEN_KEY = "orch-token";
const STATES = ["new", "running", "finished", "failed", "errored", "skipped"];
const FINAL_JOB_STATES = ["finished", "failed", "stopped"];
const PAGE = 20;

// Bumped on every route change: work for an old page stops touching the document.
let generation = 0;
let streamAbort = null;

// ---- helpers ----------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// A resource reference as Puppet writes it, whatever JSON form it came in.
function ref(r) {
  if (r && typeof r === "object") return `${r.type || r.type_name}[${r.title}]`;
  return String(r);
}

function stateBadge(state) {
  return el("span", { class: `state s-${state}`, "data-state": state, text: state });
}

function legend() {
  return el("div", { class: "legend" }, STATES.map(stateBadge));
}

function errorBox(err) {
  return el("div", { class: "error", role: "alert", text: err.message || String(err) });
}

function fmtTime(t) {
  return t ? new Date(t).toLocaleString() : "";
}

function main() {
  return document.getElementById("main");
}

// ---- the token and API calls ------------------------------------------------------------

let tokenPrompt = null;

// Shows the dialog once however many calls are waiting for a token.
function askToken(reason) {
  if (tokenPrompt) return tokenPrompt;
  const dialog = document.getElementById("token-dialog");
  const input = document.getElementById("token-input");
  document.getElementById("token-reason").textContent = reason;
  input.value = "";
  tokenPrompt = new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        const token = input.value.trim();
        if (token) sessionStorage.setItem(TOKEN_KEY, token);
        tokenPrompt = null;
        updateForget();
        resolve();
      },
      { once: true },
    );
  });
  dialog.showModal();
  input.focus();
  return tokenPrompt;
}

function updateForget() {
  document.getElementById("forget-token").hidden = !sessionStorage.getItem(TOKEN_KEY);
}

function headers(extra) {
  const h = Object.assign({}, extra);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h["X-Authentication"] = token;
  return h;
}

// A call to the API (or the web view's own /ui/ endpoints): its Response, after asking for a
// token for as long as the server answers 401.
async function call(url, options) {
  for (;;) {
    const o = Object.assign({}, options);
    o.headers = headers(o.headers);
    const response = await fetch(url, o);
    if (response.status !== 401) return response;
    let msg = "This server requires a token.";
    try {
      const body = await response.json();
      if (body && body.msg) msg = body.msg;
    } catch (_) { /* not JSON: the generic reason */ }
    if (sessionStorage.getItem(TOKEN_KEY)) sessionStorage.removeItem(TOKEN_KEY);
    await askToken(msg);
  }
}

// JSON of an API call; a PE error body becomes an Error with its msg.
async function api(path, method, body) {
  const options = { method: method || "GET" };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers = { "Content-Type": "application/json" };
  }
  const response = await call(API + path, options);
  const text = await response.text();
  let value;
  try {
    value = JSON.parse(text);
  } catch (_) {
    value = text;
  }
  if (!response.ok) {
    const msg = value && value.msg ? `${value.kind}: ${value.msg}` : `HTTP ${response.status}`;
    throw new Error(msg);
  }
  return value;
}

// ---- pages -------------------------------------------------------------------------------

async function environmentsPage(gen) {
  const envs = await api("/environments");
  if (gen !== generation) return;
  const page = el("div", {}, el("h1", { text: "Environments" }));
  main().replaceChildren(page);
  for (const env of envs.items) {
    const section = el("section", { class: "environment", "data-environment": env.name },
      el("h2", {}, el("span", { class: "mono", text: env.name }), " ",
        el("a", { href: `#/plan?environment=${encodeURIComponent(env.name)}`, text: "plan of the whole environment" })));
    page.append(section);
    if (env.errors && env.errors.length) {
      section.append(errorBox(new Error(env.errors.join("\n"))));
      continue;
    }
    let instances;
    try {
      instances = await api(`/environments/${encodeURIComponent(env.name)}/instances`);
    } catch (e) {
      section.append(errorBox(e));
      continue;
    }
    if (gen !== generation) return;
    if (!instances.items.length) section.append(el("p", { class: "muted", text: "No application instances." }));
    for (const inst of instances.items) {
      const name = `${inst.type}[${inst.title}]`;
      const rows = inst.components.map((c) =>
        el("tr", {},
          el("td", { class: "mono", text: `${c.type}[${c.title}]` }),
          el("td", { class: "mono", text: c.node }),
          el("td", { class: "mono", text: (c.produces || []).map(ref).join(", ") }),
          el("td", { class: "mono", text: (c.consumes || []).map(ref).join(", ") })));
      section.append(el("div", { class: "instance", "data-instance": name },
        el("h3", {}, name, " ",
          el("a", { href: `#/plan?environment=${encodeURIComponent(env.name)}&application=${encodeURIComponent(name)}`, text: "plan" })),
        el("table", {},
          el("thead", {}, el("tr", {}, ["Component", "Node", "Produces", "Consumes"].map((h) => el("th", { text: h })))),
          el("tbody", {}, rows))));
    }
  }
}

async function planPage(gen, params) {
  const environment = params.get("environment") || "";
  const application = params.get("application") || "";
  const nodes = params.get("nodes") || "";
  const form = el("form", { class: "inline", id: "plan-form" },
    el("label", {}, "Environment", el("input", { name: "environment", value: environment, required: true })),
    el("label", {}, "Application (optional)", el("input", { name: "application", value: application, placeholder: "Shop[prod]" })),
    el("label", {}, "Nodes (optional, comma-separated)", el("input", { name: "nodes", value: nodes })),
    el("button", { type: "submit", text: "Show plan" }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const k of ["environment", "application", "nodes"]) {
      const v = form.elements[k].value.trim();
      if (v) q.set(k, v);
    }
    location.hash = `#/plan?${q}`;
  });
  const picture = el("div", { class: "picture", id: "plan-picture" });
  const deploy = el("button", { type: "button", id: "deploy", text: "Deploy this target" });
  const page = el("div", {}, el("h1", { text: "Plan" }), form, el("div", { class: "toolbar" }, deploy), picture);
  main().replaceChildren(page);
  if (!environment) {
    const envs = await api("/environments");
    if (gen !== generation) return;
    if (envs.items.length) {
      location.hash = `#/plan?environment=${encodeURIComponent(envs.items[0].name)}`;
    }
    return;
  }
  const q = new URLSearchParams({ environment });
  if (application) q.set("application", application);
  if (nodes) q.set("nodes", nodes);
  const response = await call(`/ui/plan.svg?${q}`);
  const text = await response.text();
  if (gen !== generation) return;
  if (!response.ok) {
    let msg = text;
    try {
      const e = JSON.parse(text);
      msg = `${e.kind}: ${e.msg}`;
    } catch (_) { /* the text as it is */ }
    picture.replaceChildren(errorBox(new Error(msg)));
    deploy.disabled = true;
    return;
  }
  // The server's SVG, parsed as XML (never as HTML) and placed in the page so that it can be
  // read and styled like the rest.
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  picture.replaceChildren(document.importNode(doc.documentElement, true));
  deploy.disabled = picture.querySelector("svg.cycle") !== null;
  deploy.addEventListener("click", async () => {
    deploy.disabled = true;
    const scope = application ? { application }
      : nodes ? { nodes: nodes.split(",").map((n) => n.trim()).filter(Boolean) }
      : { whole_environment: true };
    try {
      const answer = await api("/command/deploy", "POST", { environment, scope, description: "from the web view" });
      location.hash = `#/jobs/${answer.job.name}`;
    } catch (e) {
      picture.before(errorBox(e));
      deploy.disabled = false;
    }
  });
}

async function jobsPage(gen, params) {
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  const jobs = await api(`/jobs?limit=${PAGE}&offset=${offset}`);
  if (gen !== generation) return;
  const rows = jobs.items.map((j) =>
    el("tr", { "data-job": j.name },
      el("td", {}, el("a", { href: `#/jobs/${j.name}`, class: "mono", text: j.name })),
      el("td", {}, stateBadge(j.state)),
      el("td", { class: "mono", text: j.environment.name }),
      el("td", { class: "mono", text: j.options.target }),
      el("td", { text: j.node_count }),
      el("td", { text: j.owner.login }),
      el("td", { text: fmtTime(j.timestamp) }),
      el("td", { text: j.description })));
  const p = jobs.pagination;
  const pager = el("div", { class: "pager" },
    el("button", { type: "button", disabled: offset === 0, onclick: () => { location.hash = `#/jobs?offset=${Math.max(0, offset - PAGE)}`; }, text: "← Newer" }),
    el("span", { class: "muted", text: p.total ? `${offset + 1}–${Math.min(offset + PAGE, p.total)} of ${p.total}` : "no jobs" }),
    el("button", { type: "button", disabled: offset + PAGE >= p.total, onclick: () => { location.hash = `#/jobs?offset=${offset + PAGE}`; }, text: "Older →" }));
  main().replaceChildren(el("div", {},
    el("h1", { text: "Jobs" }),
    el("table", { id: "jobs" },
      el("thead", {}, el("tr", {}, ["Job", "State", "Environment", "Target", "Nodes", "Owner", "Last change", "Description"].map((h) => el("th", { text: h })))),
      el("tbody", {}, rows)),
    pager));
}

function setNodeState(box, state) {
  if (!STATES.includes(state)) return;
  box.className = `node-box s-${state}`;
  box.dataset.state = state;
  box.querySelector(".node-state").textContent = state;
}

function setJobState(state) {
  const holder = document.getElementById("job-state");
  if (holder) holder.replaceChildren(stateBadge(state));
  const stop = document.getElementById("stop");
  if (stop && FINAL_JOB_STATES.includes(state)) stop.disabled = true;
}

function showNode(id, node) {
  const detail = document.getElementById("node-detail");
  const s = node.summary;
  const summary = el("div", { class: "summary" });
  if (node.result && typeof node.result === "object") {
    for (const [k, v] of Object.entries(node.result)) {
      if (v !== null && typeof v !== "object") summary.append(el("div", {}, el("span", { text: k }), String(v)));
    }
  }
  detail.replaceChildren(
    el("h2", {}, el("span", { class: "mono", text: node.name }), " ", stateBadge(node.state)),
    el("p", { text: (node.details && node.details.message) || "" }),
    summary,
    s ? el("details", {}, el("summary", { text: "Run summary" }), el("pre", { text: JSON.stringify(s, null, 2) })) : null,
    el("h3", { text: "Output (tail)" }),
    el("pre", { class: "output", text: node.output_tail || "(no output)" }));
  detail.hidden = false;
}

async function refreshNodes(gen, id) {
  const [job, nodes] = await Promise.all([api(`/jobs/${id}`), api(`/jobs/${id}/nodes`)]);
  if (gen !== generation) return null;
  setJobState(job.state);
  for (const n of nodes.items) {
    const box = document.querySelector(`.node-box[data-node="${CSS.escape(n.name)}"]`);
    if (box) setNodeState(box, n.state);
  }
  return { job, nodes };
}

async function jobPage(gen, id) {
  const [job, nodes] = await Promise.all([api(`/jobs/${id}`), api(`/jobs/${id}/nodes`)]);
  if (gen !== generation) return;
  const byLevel = new Map();
  for (const n of nodes.items) {
    if (!byLevel.has(n.level)) byLevel.set(n.level, []);
    byLevel.get(n.level).push(n);
  }
  const levels = [...byLevel.keys()].sort((a, b) => a - b);
  const grid = el("div", { class: "levels", id: "job-nodes" },
    levels.map((l) => el("div", { class: "level-col", "data-level": l },
      el("h4", { text: `level ${l}` }),
      byLevel.get(l).map((n) => {
        const box = el("button", { type: "button", class: "node-box", "data-node": n.name },
          el("span", { class: "node-name", text: n.name }),
          el("span", { class: "node-state" }),
          n.depends_on.length ? el("span", { class: "deps", text: `after ${n.depends_on.join(", ")}` }) : null);
        setNodeState(box, n.state);
        box.addEventListener("click", async () => {
          try {
            const fresh = await api(`/jobs/${id}/nodes`);
            const node = fresh.items.find((x) => x.name === n.name);
            if (node && gen === generation) showNode(id, node);
          } catch (e) {
            document.getElementById("node-detail").replaceChildren(errorBox(e));
          }
        });
        return box;
      }))));
  const stop = el("button", { type: "button", class: "danger", id: "stop", text: "Stop" });
  const answer = el("span", { id: "stop-answer", class: "muted" });
  stop.addEventListener("click", async () => {
    stop.disabled = true;
    try {
      const a = await api("/command/stop", "POST", { job: String(id) });
      answer.textContent = a.job.stop_requested
        ? `Stop requested: nothing new starts (job is ${a.job.state}).`
        : `Job is ${a.job.state}.`;
    } catch (e) {
      answer.textContent = e.message;
      stop.disabled = false;
    }
  });
  const o = job.options;
  main().replaceChildren(el("div", {},
    el("h1", {}, "Job ", el("span", { class: "mono", text: job.name }), " ", el("span", { id: "job-state" })),
    el("p", { class: "muted" },
      el("span", { class: "mono", text: `${o.environment} · ${o.target}` }),
      ` · ${job.node_count} nodes · by ${job.owner.login}`,
      job.description ? ` · ${job.description}` : ""),
    el("div", { class: "toolbar" }, stop, answer),
    legend(),
    grid,
    el("div", { class: "node-detail", id: "node-detail", hidden: true })));
  setJobState(job.state);
  follow(gen, id);
}

// Follows the job's Server-Sent Events with fetch() (EventSource cannot send the token).
async function follow(gen, id) {
  const abort = new AbortController();
  streamAbort = abort;
  try {
    const response = await call(`${API}/jobs/${id}/events/stream?start=1`, {
      signal: abort.signal,
      headers: { Accept: "text/event-stream" },
    });
    if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done || gen !== generation) break;
      buffer += value.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        const data = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (event === "events") applyEvents(JSON.parse(data.join("\n")));
        if (event === "end") {
          abort.abort();
          break;
        }
      }
    }
  } catch (e) {
    if (e.name !== "AbortError" && gen === generation) {
      document.getElementById("stop-answer").textContent = `Event stream: ${e.message}`;
    }
  }
  // The final word is the API's: states, summaries, the job's end.
  if (gen === generation) await refreshNodes(gen, id);
}

function applyEvents(events) {
  for (const ev of events) {
    const node = ev.details && ev.details.node;
    if (node && ev.type.startsWith("node_")) {
      const box = document.querySelector(`.node-box[data-node="${CSS.escape(node)}"]`);
      if (box) setNodeState(box, ev.type.slice(5));
    } else if (ev.type === "job_stopping") {
      setJobState("stopping");
    } else if (ev.type === "job_started") {
      setJobState("running");
    }
  }
}

// ---- routing ------------------------------------------------------------------------------

async function route() {
  generation += 1;
  const gen = generation;
  if (streamAbort) streamAbort.abort();
  streamAbort = null;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const section = path.startsWith("/jobs") ? "jobs" : path.startsWith("/plan") ? "plan" : "environments";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.nav === section);
  try {
    const job = path.match(/^\/jobs\/(\d+)$/);
    if (job) await jobPage(gen, job[1]);
    else if (path === "/jobs") await jobsPage(gen, params);
    else if (path === "/plan") await planPage(gen, params);
    else await environmentsPage(gen);
  } catch (e) {
    if (gen === generation) main().replaceChildren(errorBox(e));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    updateForget();
    route();
  });
  updateForget();
  window.addEventListener("hashchange", route);
  route();
});
