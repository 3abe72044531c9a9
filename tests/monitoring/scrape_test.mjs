// The suite's metrics as operations see them, from the four real binaries
// (tests/interop/with_services.sh starts them and exports their addresses):
//   1. after a walk-through (scripts/demo.sh: a plan, consent, a meeting), every
//      service's /metrics passes `promtool check metrics` and carries no personal data
//      or plan id in any label;
//   2. a real Prometheus (Debian's) scrapes them and evaluates the suite's rules
//      (deploy/monitoring/prometheus-rule.yaml), and every series that the rules and the
//      dashboard (deploy/monitoring/dashboards/sip-suite.json) name exists in it, so a
//      renamed metric breaks this test rather than a dashboard in production;
//   3. the dashboard as Grafana runs it: its variables list values, every panel's query
//      (variables at "All") parses and answers with a series, no panel overlaps another.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const services = ["consent", "plan", "meeting", "lifecycle"];
const problems = [];
const fail = (what) => problems.push(what);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function metricsAddress(service) {
  const address = process.env[`SIP_${service.toUpperCase()}_METRICS_ADDRESS`];
  if (!address) throw new Error(`SIP_${service.toUpperCase()}_METRICS_ADDRESS is not set: run through with_services.sh`);
  return address;
}

// Prometheus's port: claimed for this run by with_services.sh (scripts/lib/ports.sh), so
// that no test running beside this one binds it first.
function prometheusPort() {
  const port = Number(process.env.SIP_COMMAND_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error("SIP_COMMAND_PORT is not set: run through with_services.sh");
  return port;
}

// 1. Activity, so that RPC, event and domain series exist.
// demo.sh echoes each call to /dev/stderr, which must be a file or a terminal.
const demoLog = path.join(os.tmpdir(), `sip-demo-${process.pid}.log`);
const demoErr = fs.openSync(demoLog, "w");
const demo = execFileSync("bash", [path.join(repo, "scripts/demo.sh")],
  { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", demoErr] });
fs.closeSync(demoErr);
const demoCalls = fs.readFileSync(demoLog, "utf8");  // the calls and their answers
fs.rmSync(demoLog, { force: true });
const planIds = [...`${demo}${demoCalls}`.matchAll(/plans\/([0-9a-f-]{36})/g)].map((m) => m[1]);
if (planIds.length === 0) fail("the walk-through printed no plan id");

for (const service of services) {
  const text = await (await fetch(`http://${metricsAddress(service)}/metrics`)).text();
  let lint = "";
  try {
    lint = execFileSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  } catch (e) {
    lint = `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message;
  }
  if (lint.trim()) fail(`${service}: promtool check metrics: ${lint.trim()}`);
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const labels = line.slice(0, line.lastIndexOf(" "));
    if (/"[^"]*\b(?:19|20)?\d{6}[-+]?\d{4}\b[^"]*"/.test(labels)) fail(`${service}: a label looks like a personnummer: ${line}`);
    if (/SE\d{10}-/.test(labels)) fail(`${service}: a label carries an HSA-id: ${line}`);
    for (const id of planIds) if (line.includes(id)) fail(`${service}: a label carries a plan id: ${line}`);
  }
}

// 2. A real Prometheus.
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sip-prometheus-"));
execFileSync("node", [path.join(repo, "tests/monitoring/extract_rules.mjs"), path.join(work, "rules.yaml")], { cwd: repo });
fs.writeFileSync(path.join(work, "prometheus.yml"), YAML.stringify({
  global: { scrape_interval: "1s", evaluation_interval: "1s" },
  rule_files: [path.join(work, "rules.yaml")],
  // job="<service>", as the ServiceMonitor labels them in the cluster.
  scrape_configs: services.map((s) => ({ job_name: s, static_configs: [{ targets: [metricsAddress(s)] }] })),
}));
const port = prometheusPort();
const prometheus = spawn("prometheus", [
  `--config.file=${path.join(work, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(work, "data")}`,
  `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { stdio: ["ignore", "ignore", "pipe"] });
let prometheusLog = "";
prometheus.stderr.on("data", (d) => { prometheusLog += d; });
const api = `http://127.0.0.1:${port}/api/v1`;
async function query(expr) {
  const res = await fetch(`${api}/query?query=${encodeURIComponent(expr)}`);
  const body = await res.json();
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

try {
  let ready = false;
  for (let i = 0; i < 300 && !ready; i++) {
    try { ready = (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok; } catch { /* starting */ }
    if (!ready) await sleep(100);
  }
  if (!ready) throw new Error(`Prometheus did not start: ${prometheusLog}`);

  // Every name the rules and the dashboard use.
  const rules = YAML.parse(fs.readFileSync(path.join(work, "rules.yaml"), "utf8"));
  const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
  const dashboard = JSON.parse(fs.readFileSync(path.join(repo, "deploy/monitoring/dashboards/sip-suite.json"), "utf8"));
  const collect = (v) => {
    if (Array.isArray(v)) return v.forEach(collect);
    if (v && typeof v === "object") {
      if (typeof v.expr === "string") exprs.push(v.expr);
      if (typeof v.query === "string") exprs.push(v.query);
      if (v.query && typeof v.query.query === "string") exprs.push(v.query.query);
      Object.values(v).forEach(collect);
    }
  };
  collect(dashboard);
  const names = new Set();
  for (const e of exprs) {
    for (const m of e.matchAll(/\b(?:grpc_server_[a-z_]+|sip_[a-z_]+|job:[a-z0-9_:]+)/g)) names.add(m[0]);
  }
  if (names.size < 20) fail(`only ${names.size} metric names found in the rules and the dashboard`);

  // Wait until every service was scraped, the lifecycle counted its deadlines and the
  // rules were evaluated; then each name must have a series.
  const missing = () => Promise.all([...names].map(async (n) => ((await query(`count({__name__="${n}"})`)).length ? null : n)))
    .then((r) => r.filter(Boolean));
  let absent = [...names];
  for (let i = 0; i < 90 && absent.length; i++) {
    await sleep(1000);
    absent = await missing();
  }
  if (absent.length) fail(`series the rules or the dashboard name that Prometheus never scraped: ${absent.join(", ")}`);

  // The dashboard as Grafana runs it: each variable's query must list values (the
  // services by their job), and each panel's query, its variables at "All", must parse
  // and answer with at least one series, so that no panel shows "No data" for a typo in
  // a label, a matcher or a function.
  const variables = {};
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const m = String(v.query?.query ?? v.query).match(/^label_values\((\w+),\s*(\w+)\)$/);
    if (!m) { fail(`dashboard variable ${v.name}: not a label_values(metric, label) query`); continue; }
    const res = await (await fetch(`${api}/label/${m[2]}/values?match[]=${encodeURIComponent(m[1])}`)).json();
    if (!(res.data ?? []).length) fail(`dashboard variable ${v.name}: ${v.query.query} lists no values`);
    if (v.name === "service") {
      const listed = [...(res.data ?? [])].sort().join(",");
      if (listed !== [...services].sort().join(",")) fail(`dashboard variable service lists ${listed}, not the four services`);
    }
    variables[v.name] = v.allValue ?? ".*";
  }
  const panels = [];
  const addPanels = (list) => { for (const p of list ?? []) { panels.push(p); addPanels(p.panels); } };
  addPanels(dashboard.panels);
  const ids = panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length || ids.some((id) => !Number.isInteger(id))) {
    fail(`dashboard panel ids are not unique whole numbers: ${ids.join(",")}`);
  }
  // Laid out on Grafana's grid of 24 columns, no panel over another.
  const placed = panels.filter((p) => p.gridPos);
  for (const [i, p] of placed.entries()) {
    const a = p.gridPos;
    if (a.x < 0 || a.w < 1 || a.x + a.w > 24 || a.h < 1) fail(`dashboard panel "${p.title}" lies off the grid`);
    for (const q of placed.slice(i + 1)) {
      const b = q.gridPos;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) {
        fail(`dashboard panels "${p.title}" and "${q.title}" overlap`);
      }
    }
  }
  for (const p of panels) {
    if (!p.gridPos) fail(`dashboard panel "${p.title}" has no gridPos`);
    for (const t of p.targets ?? []) {
      const where = `dashboard panel "${p.title}" query ${t.refId}`;
      const expr = t.expr.replace(/\$\{?(\w+)\}?/g, (all, name) => variables[name] ?? all);
      if (expr.includes("$")) { fail(`${where}: a variable the dashboard does not define: ${t.expr}`); continue; }
      let series = [];
      try {
        for (let i = 0; i < 30 && series.length === 0; i++) {
          if (i) await sleep(1000);
          series = await query(expr);
        }
      } catch (e) {
        fail(`${where} does not run: ${e.message}`);
        continue;
      }
      if (series.length === 0) fail(`${where} answers no series after the walk-through: ${expr}`);
    }
  }

  for (const s of services) {
    const up = await query(`up{job="${s}"}`);
    if (up.length !== 1 || up[0].value[1] !== "1") fail(`Prometheus does not scrape ${s}: ${JSON.stringify(up)}`);
    const build = await query(`sip_build_info{job="${s}",service="${s}"}`);
    if (build.length !== 1) fail(`${s} exports no sip_build_info with its name`);
  }
  // The walk-through's own calls and domain figures, by the labels the dashboard uses.
  if ((await query('grpc_server_handled_total{job="plan",grpc_method="CreatePlan",grpc_code="OK"}')).length !== 1) {
    fail("no OK CreatePlan in plan's grpc_server_handled_total");
  }
  if ((await query('sip_lifecycle_deadlines{job="lifecycle",rule=~".+",state=~".+",region=~"[0-9]{2}|unknown"}')).length === 0) {
    fail(`no deadline counts by rule, state and region from the lifecycle service: ${JSON.stringify(await query("sip_lifecycle_deadlines"))}`);
  }
  if ((await query('sip_event_consumer_lag_seconds{job="lifecycle",source="plan"}')).length !== 1) {
    fail("no consumer lag of the lifecycle service for plan's events");
  }
} catch (e) {
  fail(e.message);
} finally {
  prometheus.kill("SIGTERM");
  await new Promise((r) => prometheus.on("exit", r));
  fs.rmSync(work, { recursive: true, force: true });
}

if (problems.length) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log("ok: every service's metrics pass promtool, every series the rules and the dashboard name is in a real scrape, and every panel's query answers");
