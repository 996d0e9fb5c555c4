// What the HTTPRoute acceptance tests share: setting spec.acceptanceTimeout in a release's spec file,
// and reading whether Istio (the simulator as its controller) accepted a route's current generation.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { HTTPRoute } from '../../../src/routing/http-route/types.ts';
import { safeYaml } from '../../../src/yaml/safe-yaml.ts';

/** Sets spec.acceptanceTimeout in the spec file. */
export function withAcceptanceTimeout(specFile: string, timeout: string): void {
  const document = parseYaml(readFileSync(specFile, 'utf8')) as { spec: Record<string, unknown> };
  document.spec['acceptanceTimeout'] = timeout;
  writeFileSync(specFile, safeYaml(document));
}

/** Istio's Accepted and ResolvedRefs are True for the route's current generation. */
export function acceptedNow(route: HTTPRoute): boolean {
  const conditions = route.status?.parents?.[0]?.conditions ?? [];
  return ['Accepted', 'ResolvedRefs'].every((type) => conditions.some((c) => c.type === type && c.status === 'True' && c.observedGeneration === route.metadata.generation));
}
