import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b}from"./chunk-ZSHXFN3F.js";import"./chunk-RWEMCQV7.js";import"./chunk-TFWTWCI2.js";import"./chunk-IM7GNSPV.js";export{a as loadKubeconfig,b as withoutCredentials};
