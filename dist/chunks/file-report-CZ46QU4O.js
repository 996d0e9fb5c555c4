import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-YALC64FB.js";import"./chunk-X2W6EJHV.js";import"./chunk-IM7GNSPV.js";export{a as createFileReport};
