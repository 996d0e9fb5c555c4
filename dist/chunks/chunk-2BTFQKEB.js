import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var o=/[\p{Cc}\u2028\u2029]/gu,i=/^(\s*):(?=:)/,e=/##\[/g;function g(n){return n==="	"||n===`
`?n:{"\r":"\\r","\0":"\\0"}[n]??`\\u${n.charCodeAt(0).toString(16).padStart(4,"0")}`}function s(n){return n.replace(o,g).replace(e,"##\\[").replace(i,"$1\\:")}function t(n){return n.replace(/\r\n/g,`
`).split(`
`).map(s).join(`
`)}function a(n){return n.replace(e,"#\\u0023[")}function u(n){return{info:r=>n.info(t(r)),warning:r=>n.warning(t(r)),error:r=>n.error(t(r))}}export{t as a,a as b,u as c};
