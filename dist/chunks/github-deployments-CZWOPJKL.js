import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a,b,c}from"./chunk-AWEIRPO2.js";import"./chunk-BGK3UM7C.js";import"./chunk-WIYXBUOS.js";import"./chunk-IM7GNSPV.js";export{a as DEPLOYMENT_TASK,c as createDeploymentTracker,b as deploymentStateOf};
