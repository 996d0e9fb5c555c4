import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
var t=/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;function e(n){return n.length<=63&&t.test(n)}function o(n){return n.split(".")[0]}export{e as a,o as b};
