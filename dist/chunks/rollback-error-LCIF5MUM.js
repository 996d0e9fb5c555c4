import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-KCDPD6HZ.js";import"./chunk-X2W6EJHV.js";import"./chunk-IM7GNSPV.js";export{a as RollbackFailedError,b as RollbackNotInEffectError};
