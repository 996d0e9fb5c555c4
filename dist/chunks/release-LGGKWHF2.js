import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{g as a,h as b}from"./chunk-6V75V7SH.js";import"./chunk-47LZLF3E.js";import"./chunk-75NMBXJF.js";import"./chunk-XY7QUVLB.js";export{a as metricsFor,b as runRelease};
