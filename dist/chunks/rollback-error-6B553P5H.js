import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a}from"./chunk-YCWGRT6O.js";import"./chunk-TFWTWCI2.js";import"./chunk-IM7GNSPV.js";export{a as RollbackFailedError};
