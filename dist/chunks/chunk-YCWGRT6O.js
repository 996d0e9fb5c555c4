import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{c as r}from"./chunk-TFWTWCI2.js";var s=class extends r{};export{s as a};
