import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var o=/[\p{Cc}\u2028\u2029]/gu,i=/^(\s*):(?=:)/,e=/##\[/g;function g(r){return r==="	"||r===`
`?r:{"\r":"\\r","\0":"\\0"}[r]??`\\u${r.charCodeAt(0).toString(16).padStart(4,"0")}`}function s(r){return r.replace(o,g).replace(e,"##\\[").replace(i,"$1\\:")}function t(r){return r.replace(/\r\n/g,`
`).split(`
`).map(s).join(`
`)}function a(r){return r.replace(e,"#\\u0023[")}function u(r){return{info:n=>r.info(t(n)),warning:n=>r.warning(t(n)),error:n=>r.error(t(n))}}export{t as a,a as b,u as c};
