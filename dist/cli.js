#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{e as m,f,g,h,i as w}from"./chunks/chunk-HDA3MSV4.js";import{b as u}from"./chunks/chunk-GTNSJK35.js";import{l as d}from"./chunks/chunk-GCLVBJTD.js";import"./chunks/chunk-6L7QBJPU.js";import{b as a,h as n,i as p}from"./chunks/chunk-75NMBXJF.js";import"./chunks/chunk-XY7QUVLB.js";import{parseArgs as v}from"node:util";function y(t=e=>process.stderr.write(`${e}
`)){let e=()=>new Date().toISOString().slice(11,19);return{info:s=>t(`${e()} ${s}`),warning:s=>t(`${e()} warning: ${s}`),error:s=>t(`${e()} error: ${s}`)}}var $=`usage: istio-canary <command> [flags]

commands:
  plan      --spec FILE --virtual-service FILE [--destination-rule FILE] [--canary NAME] [--out DIR]
  run       the whole release: every stage, bake, judge, advance; ends promoted or rolled back
  start     apply the first stage and return
  advance   judge the current stage and apply the next one
  promote   send all traffic to the canary now
  abort     roll back: all traffic to stable
  status    show the rollout state (--json for JSON)

release flags:
  --spec FILE             Canary spec (YAML; several documents allowed)
  --canary NAME           which spec in the file (metadata.name), when it holds several
  --kubeconfig PATH       default: $KUBECONFIG, ~/.kube/config, in-cluster
  --prometheus-url URL    overrides spec.analysis.prometheus.url
  --report FILE           also write the markdown report to FILE
  --supersede             roll back a release of another version in progress, then start
  --force-conflicts       take over routes managed by a GitOps controller
  --holder-timeout DUR    take over a rollout whose holder has not renewed for this long (default 15m)
  --json                  (status) print the state as JSON
`,b=new Set(["run","start","advance","promote","abort","status"]);async function E(t){let[e,...s]=t;if(!e||e==="--help"||e==="-h"||e==="help")return process.stdout.write($),e?0:2;let C={stdout:r=>process.stdout.write(r),stderr:r=>process.stderr.write(r)};if(e==="plan")return w(s,C);if(!b.has(e))throw new a({path:"command",message:`unknown command "${e}"; expected plan, ${[...b].join(", ")}`});let o=k(s),i=y(),l=await m(o.spec,o.canary),c=f(i);try{let r=await d({spec:l,command:e,kubeconfigPath:o.kubeconfig,prometheusUrl:o["prometheus-url"],supersede:o.supersede,forceConflicts:o["force-conflicts"],holderTimeoutMs:o.holderTimeoutMs,log:i,reports:o.report?[h(o.report)]:[],signal:c.signal});return o.json?process.stdout.write(`${JSON.stringify(r.state,null,2)}
`):process.stdout.write(`${l.name}: ${r.status} at ${r.stage}, canary weight ${r.canaryWeight}%
`),r.failure&&process.stderr.write(`${r.failure}
`),g(r.status,e)}finally{c.dispose()}}function k(t){try{let{values:e}=v({args:t,strict:!0,allowPositionals:!1,options:{spec:{type:"string"},canary:{type:"string"},kubeconfig:{type:"string"},"prometheus-url":{type:"string"},report:{type:"string"},supersede:{type:"boolean",default:!1},"force-conflicts":{type:"boolean",default:!1},"holder-timeout":{type:"string"},json:{type:"boolean",default:!1}}});if(!e.spec)throw new a({path:"--spec",message:"required: the Canary spec file"});return{...e,spec:e.spec,holderTimeoutMs:e["holder-timeout"]===void 0?void 0:u(e["holder-timeout"],"--holder-timeout")}}catch(e){throw e instanceof a?e:new a({path:"flags",message:`${n(e)}

${$}`})}}E(process.argv.slice(2)).then(t=>{process.exitCode=t},t=>{process.stderr.write(`istio-canary: ${n(t)}
`),process.exitCode=p(t)});
