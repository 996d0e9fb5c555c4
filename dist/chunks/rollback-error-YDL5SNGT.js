import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-6SEEWGZY.js";import"./chunk-WIYXBUOS.js";import"./chunk-IM7GNSPV.js";export{a as RollbackFailedError};
