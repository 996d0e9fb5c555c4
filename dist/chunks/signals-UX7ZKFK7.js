import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-3TVKJ2VG.js";import"./chunk-IM7GNSPV.js";export{a as abortOnSignals};
