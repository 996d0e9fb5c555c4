import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var i="Canary-Stage",u="Canary-Run";function p(e){let n=r(e.canary),t=d(`canary(${n}): ${c(e.change)}`,120),s=[];e.change.kind==="rollback"&&s.push(`Rolled back: ${r(e.change.reason)}`),e.previous&&s.push(l(e.previous)),e.runUrl&&s.push(`Run: ${r(e.runUrl)}`);let a=[`${i}: ${o(g(e.change))}`,`${u}: ${o(e.runId)}`];return s.push(a.join(`
`)),{headline:t,body:s.join(`

`)}}function $(e){return`${e.headline}

${e.body}
`}function c(e){switch(e.kind){case"stage":return`${r(e.summary)} [${e.index+1}/${e.total}]`;case"promote":return`promote ${r(e.canarySubset)}`;case"rollback":return`roll back to ${r(e.stableSubset)}`;case"object":return r(e.summary)}}function g(e){switch(e.kind){case"stage":return e.stageId;case"promote":return"promoted";case"rollback":return"rolled-back";case"object":return e.stageId}}function l(e){let n=[`Previous stage ${r(e.stageId)} (${r(e.summary)}): ${r(e.result)}`];for(let t of e.verdicts){let s=t.value===void 0?"no value":m(t.value),a=t.requests===void 0?"":`, ${t.requests} requests`;n.push(`  - ${r(t.check)}: ${t.status}, ${s} (threshold ${r(t.threshold)}${a}): ${r(t.reason)}`)}return n.join(`
`)}function m(e){return Number.isInteger(e)?String(e):e.toPrecision(4)}function r(e){return e.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu," ").replace(/ {2,}/g," ").trim()}function o(e){return r(e)||"-"}function d(e,n){let t=Array.from(e);return t.length<=n?e:`${t.slice(0,n-1).join("")}\u2026`}export{p as a,$ as b};
