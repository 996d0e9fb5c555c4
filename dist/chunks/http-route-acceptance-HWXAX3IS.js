import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-QNG3M3CK.js";import"./chunk-67UX6MTQ.js";import"./chunk-L3P7N7KI.js";import"./chunk-HYHDYTQN.js";import"./chunk-X2W6EJHV.js";import"./chunk-IM7GNSPV.js";export{a as DEFAULT_ACCEPTANCE_TIMEOUT_MS,b as awaitAccepted};
