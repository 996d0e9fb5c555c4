import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-7QLCDFO2.js";import"./chunk-DVBUAUPV.js";import"./chunk-L3P7N7KI.js";import"./chunk-HYHDYTQN.js";import"./chunk-X2W6EJHV.js";import"./chunk-IM7GNSPV.js";export{a as DEFAULT_ACCEPTANCE_TIMEOUT_MS,b as awaitAccepted};
