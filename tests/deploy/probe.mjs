import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
for (const [name, f] of [["bad field", () => new Cluster({metadata:{name:"x"}, spec:{instances:3, bogus:1}}).validate()],
  ["bad type", () => new Cluster({metadata:{name:"x"}, spec:{instances:"3"}}).validate()],
  ["ok", () => new Cluster({metadata:{name:"x"}, spec:{instances:3, storage:{size:"1Gi"}}}).validate()],
  ["nested bogus", () => new Cluster({metadata:{name:"x"}, spec:{instances:3, storage:{sizee:"1Gi"}}}).validate()],
  ["deploy bogus", () => new Deployment({metadata:{name:"x"}, spec:{selector:{}, template:{spec:{containers:[{name:"a", bogus:1}]}}}}).validate()],
]) { try { f(); console.log(name, "valid"); } catch (e) { console.log(name, "INVALID", e.message.slice(0,200)); } }
