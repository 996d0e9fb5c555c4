import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-3N3RPZ2N.js";import"./chunk-L3P7N7KI.js";import"./chunk-TFWTWCI2.js";import"./chunk-IM7GNSPV.js";export{a as awaitAccepted};
