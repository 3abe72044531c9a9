// Every alert of deploy/monitoring/prometheus-rule.yaml can be acted on: it has a severity
// the runbook defines (page or ticket), a summary, and a runbook link to its own section
// of deploy/README.md (a "### <AlertName>" heading, GitHub's anchor for it); and every
// alert section of the runbook belongs to an alert that exists.
import fs from "node:fs";
import YAML from "yaml";

const problems = [];
const rule = YAML.parse(fs.readFileSync("deploy/monitoring/prometheus-rule.yaml", "utf8"));
const runbook = fs.readFileSync("deploy/README.md", "utf8");
const alertsSection = runbook.split(/^## /m).find((s) => s.startsWith("Alerts")) ?? "";
const headings = [...alertsSection.matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]);
const alerts = rule.spec.groups.flatMap((g) => g.rules).filter((r) => r.alert);
if (alerts.length === 0) problems.push("no alerts in the PrometheusRule");
for (const a of alerts) {
  if (!["page", "ticket"].includes(a.labels?.severity)) problems.push(`${a.alert}: severity must be page or ticket`);
  if (!a.annotations?.summary) problems.push(`${a.alert}: no summary`);
  const link = a.annotations?.runbook ?? "";
  if (link !== `deploy/README.md#${a.alert.toLowerCase()}`) {
    problems.push(`${a.alert}: runbook must be deploy/README.md#${a.alert.toLowerCase()}, not "${link}"`);
  }
  if (!headings.includes(a.alert)) problems.push(`${a.alert}: no "### ${a.alert}" section under "## Alerts" in deploy/README.md`);
}
for (const h of headings) {
  if (!alerts.some((a) => a.alert === h)) problems.push(`deploy/README.md explains ${h}, which is no alert`);
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log(`ok: ${alerts.length} alerts, each with a severity, a summary and its runbook section`);
