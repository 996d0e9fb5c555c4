// The corpus of real-world-shaped HTTPRoutes (http-route/<source>/<id>.yaml): each file is an entry
// header (what it is shaped after and what the planner must do with it), the Canary spec a user
// would write, the HTTPRoute it names and whatever else the route lives with: other HTTPRoutes on
// the same parents (the precedence proof's competitors), the Gateways and ReferenceGrants that
// Istio's conversion needs. Written here in our own words after Gateway API's examples,
// conformance routes and GEPs, Istio's Gateway API tasks, Flagger's and Argo Rollouts' Gateway API
// outputs and Envoy Gateway users' shapes; none of their text is copied.
import { relative } from 'node:path';
import { InputError } from '../../src/errors.ts';
import { planLive } from '../../src/engine/plan-live.ts';
import type { Plan, RoutingObject } from '../../src/plan/types.ts';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import { parseCanarySpecs } from '../../src/spec/parse.ts';
import { type Expectation, type Outcome, readEntryDocuments, yamlFiles } from './corpus.ts';

export const HTTP_ROUTE_CORPUS_DIR = new URL('./http-route/', import.meta.url).pathname;

/** A Gateway, GatewayClass or ReferenceGrant the entry's routes attach to or rely on. */
export interface GatewayApiObject {
  apiVersion: string;
  kind: 'Gateway' | 'GatewayClass' | 'ReferenceGrant';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

export interface HttpRouteCorpusEntry {
  /** `<source>/<id>`, the file's path under http-route/ without `.yaml`. */
  id: string;
  file: string;
  shapedAfter: string;
  expect: Expectation;
  /** The Canary document exactly as written. */
  specText: string;
  /** The HTTPRoute the spec names. */
  route: HTTPRoute;
  /** The other HTTPRoutes of the namespace (siblings on a shared parent compete with the route). */
  others: HTTPRoute[];
  /** Gateways, GatewayClasses and ReferenceGrants: what Istio's conversion reads besides routes. */
  infrastructure: GatewayApiObject[];
}

const INFRASTRUCTURE = new Set(['Gateway', 'GatewayClass', 'ReferenceGrant']);

function readEntry(file: string): HttpRouteCorpusEntry {
  const { meta, specText, spec, objects } = readEntryDocuments(file);
  const specName = (spec as { spec?: { httpRoute?: unknown } }).spec?.httpRoute;
  const plain = objects as Array<{ kind?: string; metadata?: { name?: string } }>;
  const routes = plain.filter((o): o is HTTPRoute => o.kind === 'HTTPRoute');
  const route = routes.find((r) => r.metadata.name === specName);
  if (!route) throw new Error(`${file}: no HTTPRoute named '${String(specName)}' (the spec's httpRoute)`);
  const unknown = plain.find((o) => o.kind !== 'HTTPRoute' && !INFRASTRUCTURE.has(o.kind ?? ''));
  if (unknown) throw new Error(`${file}: unexpected document of kind ${String(unknown.kind)}`);
  return {
    id: relative(HTTP_ROUTE_CORPUS_DIR, file).replace(/\.yaml$/, ''),
    file,
    shapedAfter: String(meta.shapedAfter),
    expect: meta.expect as Expectation,
    specText,
    route,
    others: routes.filter((r) => r !== route),
    infrastructure: plain.filter((o): o is GatewayApiObject => INFRASTRUCTURE.has(o.kind ?? '')),
  };
}

export function loadHttpRouteCorpus(): HttpRouteCorpusEntry[] {
  return yamlFiles(HTTP_ROUTE_CORPUS_DIR).map(readEntry);
}

/** What a user's first `plan` of the entry does (no rollout recorded on the route): planned, or
 * refused with an InputError (spec or route). Any other error is a bug and is thrown. */
export function planHttpRouteEntry(entry: HttpRouteCorpusEntry): Outcome {
  try {
    const [spec] = parseCanarySpecs(entry.specText, entry.file);
    const live = [entry.route, ...entry.others] as unknown as RoutingObject[];
    const plan: Plan = planLive(spec!, live, { unrecorded: true });
    return { kind: 'planned', spec: spec!, plan };
  } catch (e) {
    if (e instanceof InputError) return { kind: 'refused', message: e.message };
    throw e;
  }
}
