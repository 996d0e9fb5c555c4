import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{c as s}from"./chunk-X2W6EJHV.js";var e=class extends s{},t=class extends s{};export{e as a,t as b};
