import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{h as a,i as b}from"./chunk-Y37STEZH.js";import"./chunk-47LZLF3E.js";import"./chunk-75NMBXJF.js";import"./chunk-XY7QUVLB.js";export{a as metricsFor,b as runRelease};
