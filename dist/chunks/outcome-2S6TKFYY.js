import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-KY67QCRQ.js";import"./chunk-IM7GNSPV.js";export{a as exitCodeForStatus,b as outcomeLine};
