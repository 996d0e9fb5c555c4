import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-JDHAJDLU.js";import"./chunk-BGK3UM7C.js";import"./chunk-TFWTWCI2.js";import"./chunk-IM7GNSPV.js";export{a as DEPLOYMENT_TASK,c as createDeploymentTracker,b as deploymentStateOf};
