import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-OALNVSRD.js";import"./chunk-BGK3UM7C.js";import"./chunk-X2W6EJHV.js";import"./chunk-IM7GNSPV.js";export{a as DEPLOYMENT_TASK,c as createDeploymentTracker,b as deploymentStateOf};
