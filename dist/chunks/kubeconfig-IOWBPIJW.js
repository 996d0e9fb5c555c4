import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-4XJBFIEP.js";import"./chunk-EUKLWUMX.js";import"./chunk-TFWTWCI2.js";import"./chunk-IM7GNSPV.js";export{a as loadKubeconfig,b as withoutCredentials};
