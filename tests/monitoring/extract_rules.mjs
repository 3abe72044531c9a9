// Writes the rule groups of deploy/monitoring/prometheus-rule.yaml (the PrometheusRule the
// cluster loads) as a plain Prometheus rule file, so that promtool and a real Prometheus
// test exactly those rules: node extract_rules.mjs OUT.yaml
import fs from "node:fs";
import YAML from "yaml";

const [out] = process.argv.slice(2);
const rule = YAML.parse(fs.readFileSync("deploy/monitoring/prometheus-rule.yaml", "utf8"));
if (rule.kind !== "PrometheusRule" || !Array.isArray(rule.spec?.groups)) {
  console.error("deploy/monitoring/prometheus-rule.yaml: not a PrometheusRule with spec.groups");
  process.exit(1);
}
fs.writeFileSync(out, YAML.stringify({ groups: rule.spec.groups }));
