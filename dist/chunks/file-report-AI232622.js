import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-WK5ZPEW6.js";import"./chunk-TFWTWCI2.js";import"./chunk-IM7GNSPV.js";export{a as createFileReport};
