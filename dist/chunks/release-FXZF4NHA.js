import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{k as a,l as b}from"./chunk-GCLVBJTD.js";import"./chunk-6L7QBJPU.js";import"./chunk-75NMBXJF.js";import"./chunk-XY7QUVLB.js";export{a as metricsFor,b as runRelease};
