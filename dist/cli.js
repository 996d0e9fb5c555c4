#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{b as F}from"./chunks/chunk-DA5NBMZ6.js";import{a as I}from"./chunks/chunk-3TVKJ2VG.js";import{a as R}from"./chunks/chunk-YALC64FB.js";import"./chunks/chunk-U6BRZKJQ.js";import"./chunks/chunk-KCDPD6HZ.js";import"./chunks/chunk-2EPH2PKN.js";import{a as v}from"./chunks/chunk-32DEJWBZ.js";import{a as x,b as C}from"./chunks/chunk-KY67QCRQ.js";import{a as c,b,c as $}from"./chunks/chunk-G5UOLVWW.js";import{a as k,b as L}from"./chunks/chunk-7X7ZX4W6.js";import"./chunks/chunk-BIV6W5DN.js";import"./chunks/chunk-ZTZ52AEP.js";import"./chunks/chunk-BGK3UM7C.js";import"./chunks/chunk-SMAWKXGM.js";import"./chunks/chunk-L6E5PZJG.js";import"./chunks/chunk-HFAQ22YO.js";import"./chunks/chunk-L3P7N7KI.js";import{e as E}from"./chunks/chunk-LBJRO5SW.js";import"./chunks/chunk-BSOBWTNE.js";import"./chunks/chunk-IXT23RPD.js";import"./chunks/chunk-QXROYGL6.js";import"./chunks/chunk-PF2SIRPZ.js";import"./chunks/chunk-FW4ANRRG.js";import"./chunks/chunk-IMLW3TNB.js";import"./chunks/chunk-YG22WKF2.js";import"./chunks/chunk-X4ZWYYQQ.js";import"./chunks/chunk-EV2JDGHV.js";import"./chunks/chunk-RGCXJ65I.js";import"./chunks/chunk-VHIBKCU7.js";import{b as w}from"./chunks/chunk-HYHDYTQN.js";import{b as i,j as p,k as h}from"./chunks/chunk-X2W6EJHV.js";import"./chunks/chunk-IM7GNSPV.js";import{parseArgs as _}from"node:util";import{mkdir as H,writeFile as O}from"node:fs/promises";import{dirname as D,join as T}from"node:path";import{parseArgs as N}from"node:util";var m=`  --spec FILE             Canary spec (YAML; several documents allowed)        (required)
  --canary NAME           which spec in the file (metadata.name), when it holds several
  --kubeconfig PATH       default: $KUBECONFIG, ~/.kube/config, in-cluster`,g=`  --prometheus-url URL    overrides spec.analysis.prometheus.url
  --report FILE           also write the markdown report to FILE
  --supersede             roll back a release of another version in progress, then start
  --force-conflicts       take over routes managed by a GitOps controller
  --holder-timeout DUR    take over a rollout whose holder has not renewed for this long (default 15m)
  --mode apply|commit     overrides spec.mode: commit = each routing change is a commit (spec.commit)
  --repository DIR|URL    commit mode: the checkout or remote (overrides spec.commit.repository)
  --branch NAME           commit mode: the branch (overrides spec.commit.branch)`,f={plan:{summary:"print every stage's manifests and diff without touching a cluster",usage:"istio-canary plan --spec FILE (--virtual-service FILE [--destination-rule FILE] | --http-route FILE...) [--canary NAME] [--out DIR]",flags:`  --spec FILE             Canary spec (YAML)                                    (required)
  --virtual-service FILE  the live VirtualService manifest       (required with routing virtualService)
  --destination-rule FILE the live DestinationRule manifest (absent: it will be created)
  --http-route FILE       the live HTTPRoute manifest            (required with routing httpRoute);
                          repeat it for files of the HTTPRoutes competing with it: every
                          HTTPRoute in the files joins the precedence proof
  --canary NAME           which spec in the file, when it holds several
  --out DIR               also write each stage's manifests and plan.json under DIR`,example:"istio-canary plan --spec deploy/catalog.canary.yaml --virtual-service vs.yaml --destination-rule dr.yaml --out plan/"},run:{summary:"the whole release: every stage, bake, judge, advance; ends promoted, paused or rolled back",usage:"istio-canary run --spec FILE [flags]",flags:`${m}
${g}`,example:"istio-canary run --spec deploy/catalog.canary.yaml --prometheus-url http://localhost:9090"},start:{summary:"apply the first stage and return",usage:"istio-canary start --spec FILE [flags]",flags:`${m}
${g}`,example:"istio-canary start --spec deploy/catalog.canary.yaml"},advance:{summary:"judge the current stage, then apply the next one (or promote after the last)",usage:"istio-canary advance --spec FILE [flags]",flags:`${m}
${g}`,example:"istio-canary advance --spec deploy/catalog.canary.yaml --prometheus-url http://localhost:9090"},promote:{summary:"send all traffic to the canary now, skipping the remaining stages and gates",usage:"istio-canary promote --spec FILE [flags]",flags:`${m}
${g}`,example:"istio-canary promote --spec deploy/catalog.canary.yaml"},abort:{summary:"roll back: all traffic of the owned route on stable, header rule and mirror removed",usage:"istio-canary abort --spec FILE [--canary NAME] [--kubeconfig PATH] [--report FILE] [--holder-timeout DUR]",flags:`${m}
  --report FILE           also write the markdown report to FILE`,example:"istio-canary abort --spec deploy/catalog.canary.yaml"},status:{summary:"show the rollout state",usage:"istio-canary status --spec FILE [--canary NAME] [--kubeconfig PATH] [--json]",flags:`${m}
  --json                  print the whole state as JSON`,example:"istio-canary status --spec deploy/catalog.canary.yaml --json"}};function l(r){let e=f[r];return`istio-canary ${r}: ${e.summary}

usage: ${e.usage}

flags:
${e.flags}
  -h, --help              show this help

example:
  ${e.example}
`}function j(){return`usage: istio-canary <command> [flags]

commands:
${Object.entries(f).map(([e,t])=>`  ${e.padEnd(9)} ${t.summary}`).join(`
`)}

  istio-canary <command> --help   that command's flags and an example
  istio-canary --version          the version

exit codes: 0 promoted, paused or shown; 1 failed and rolled back; 2 invalid input or refused
before writing; 3 the cluster or Prometheus could not be reached and the state is unknown, or a
rollback is written but Istio has not accepted it (fix what it reports, then run abort)
`}var y=l("plan");async function A(r,e){try{if(r.includes("--help")||r.includes("-h"))return e.stdout(y),0;let t=q(r),{plan:a,text:s}=await L(t);if(e.stdout(c(s)),t.out){let n=k(a);await U(t.out,n),e.stdout(c(`
wrote ${n.length} files to ${t.out}
`))}return 0}catch(t){return e.stderr(c(`istio-canary plan: ${p(t)}
`)),h(t)}}function q(r){let e;try{e=N({args:r,strict:!0,allowPositionals:!1,options:{spec:{type:"string"},"virtual-service":{type:"string"},"destination-rule":{type:"string"},"http-route":{type:"string",multiple:!0},canary:{type:"string"},out:{type:"string"}}}).values}catch(n){throw new i({path:"flags",message:`${p(n)}

${y}`})}let t=n=>e[n],a=(n,d)=>{let u=t(n);if(!u)throw new i({path:`--${n}`,message:`required: ${d}

${y}`});return u},s=e["http-route"]??[];return{spec:a("spec","the Canary spec file"),...s.length>0?{httpRoutes:s}:{virtualService:a("virtual-service","the live VirtualService manifest")},...t("destination-rule")?{destinationRule:t("destination-rule")}:{},...t("canary")?{canary:t("canary")}:{},...t("out")?{out:t("out")}:{}}}async function U(r,e){for(let t of e){let a=T(r,...t.path.split("/"));await H(D(a),{recursive:!0}),await O(a,t.content)}}function S(r=e=>process.stderr.write(`${e}
`)){let e=()=>new Date().toISOString().slice(11,19);return $({info:t=>r(`${e()} ${t}`),warning:t=>r(`${e()} warning: ${t}`),error:t=>r(`${e()} error: ${t}`)})}var P={name:"istio-canary",version:"0.1.0",description:"Release a new version of a service on an Istio mesh in safe stages (dark launch, mirror, weights) from CI, with metric gates and rollback.",license:"Apache-2.0",type:"module",bin:{"istio-canary":"dist/cli.js"},engines:{node:">=24"},scripts:{typecheck:"tsc --noEmit",bundle:"node scripts/bundle.ts",test:"vitest run","test:unit":"vitest run --project unit","test:e2e":"vitest run --project e2e","mesh:up":"node test/env/mesh.ts up","mesh:down":"node test/env/mesh.ts down",demo:"node scripts/demo.ts",bench:"node bench/plan.ts && node bench/simulator.ts && node bench/release.ts && node bench/stack.ts",lint:"biome lint",schema:"node scripts/schema.ts"},dependencies:{"@actions/core":"^3.0.1","@actions/github":"^9.1.1","@kubernetes/client-node":"^2.0.1","@prometheus-io/lezer-promql":"^0.315.0",ajv:"^8.20.0",diff:"^9.0.0",re2js:"^2.10.0",yaml:"^2.9.1"},devDependencies:{"@actions/exec":"^3.0.0","@actions/io":"^3.0.2","@actions/tool-cache":"4.0.0","@actions/workflow-parser":"^0.3.61","@biomejs/biome":"^2.6.8","@octokit/core":"^7.0.8","@octokit/graphql-schema":"^15.26.1","@octokit/openapi":"^23.0.2","@octokit/plugin-retry":"^8.1.1","@types/node":"^24.19.2",esbuild:"^0.28.2","fast-check":"^4.10.2","github-markdown-css":"^5.9.0",graphql:"^16.15.0","js-yaml":"5.2.2",linkedom:"^0.18.15",mermaid:"^12.3.0",micromark:"^4.0.3","micromark-extension-gfm":"^3.0.0",minimist:"^1.2.8",node:"^24.21.0",typescript:"^7.0.2",vitest:"^4.1.12"},allowScripts:{node:!0,esbuild:!0}};var M=new Set(["run","start","advance","promote","abort","status"]);async function V(r){let[e,...t]=r;if(!e||e==="--help"||e==="-h"||e==="help"){let o=e==="help"?t[0]:void 0;return process.stdout.write(o&&Object.hasOwn(f,o)?l(o):j()),e?0:2}if(e==="--version"||e==="-V"||e==="version")return process.stdout.write(`istio-canary ${P.version}
`),0;let a={stdout:o=>process.stdout.write(o),stderr:o=>process.stderr.write(o)};if(e==="plan")return A(t,a);if(!M.has(e))throw new i({path:"command",message:`unknown command "${e}"; expected plan, ${[...M].join(", ")} (istio-canary --help lists them)`});let s=J(e,t);if(s.help)return process.stdout.write(l(e)),0;let n=S(),d=v(await E(s.spec,s.canary),{mode:s.mode,repository:s.repository,branch:s.branch,names:{mode:"--mode",repository:"--repository",branch:"--branch"}}),u=I(n);try{let o=await F({spec:d,command:e,kubeconfigPath:s.kubeconfig,prometheusUrl:s["prometheus-url"],supersede:s.supersede,forceConflicts:s["force-conflicts"],holderTimeoutMs:s.holderTimeoutMs,log:n,reports:s.report?[R(s.report)]:[],signal:u.signal});return s.json?process.stdout.write(`${b(JSON.stringify(o.state,null,2))}
`):process.stdout.write(c(`${C(d,o)}
`)),o.failure&&process.stderr.write(`${c(o.failure)}
`),x(o.status,e)}finally{u.dispose()}}function J(r,e){try{let{values:t}=_({args:e,strict:!0,allowPositionals:!1,options:{spec:{type:"string"},canary:{type:"string"},kubeconfig:{type:"string"},"prometheus-url":{type:"string"},report:{type:"string"},supersede:{type:"boolean",default:!1},"force-conflicts":{type:"boolean",default:!1},"holder-timeout":{type:"string"},mode:{type:"string"},repository:{type:"string"},branch:{type:"string"},json:{type:"boolean",default:!1},help:{type:"boolean",short:"h",default:!1}}});if(t.help)return{...t,spec:"",holderTimeoutMs:void 0};if(!t.spec)throw new i({path:"--spec",message:`required: the Canary spec file

${l(r)}`});return{...t,spec:t.spec,holderTimeoutMs:t["holder-timeout"]===void 0?void 0:w(t["holder-timeout"],"--holder-timeout")}}catch(t){throw t instanceof i?t:new i({path:"flags",message:`${p(t)}

${l(r)}`})}}V(process.argv.slice(2)).then(r=>{process.exitCode=r},r=>{process.stderr.write(`${c(`istio-canary: ${p(r)}`)}
`),process.exitCode=h(r)});
