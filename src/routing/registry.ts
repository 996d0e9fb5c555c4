// The routing backends, one line each. A spec is released through the first one that handles it.
import type { CanarySpec } from '../spec/types.ts';
import type { RoutingBackend } from './backend.ts';
import { withEgress } from './egress.ts';
import { httpRouteBackend } from './http-route/backend.ts';
import { virtualServiceBackend } from './virtual-service/backend.ts';

const BACKENDS: Array<{ handles: (spec: CanarySpec) => boolean; backend: RoutingBackend<never> }> = [
  { handles: (spec) => spec.routing === 'httpRoute', backend: httpRouteBackend as RoutingBackend<never> },
  { handles: (spec) => spec.virtualService !== undefined, backend: virtualServiceBackend as RoutingBackend<never> },
];

export function backendFor(spec: CanarySpec): RoutingBackend {
  const found = BACKENDS.find((b) => b.handles(spec));
  if (!found) throw new Error(`no routing backend handles the spec of ${spec.name}`);
  // Outside hosts: the backend's objects plus the ServiceEntries the canary needs (src/routing/egress.ts).
  return (spec.egress && spec.egress.hosts.length > 0 ? withEgress(found.backend) : found.backend) as RoutingBackend;
}
