// Rewrites schema/canary.schema.json from the spec's schema with the check registry's types (run it
// after adding or changing a check type in src/analysis/checks/).
import { writeFileSync } from 'node:fs';
import { canarySchema } from '../src/spec/schema.ts';

const path = new URL('../schema/canary.schema.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(canarySchema, null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
