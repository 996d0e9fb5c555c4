// fast-check generators for Canary documents inside the schema's (and the semantic rules') valid space.
import fc from 'fast-check';
import { formatPromDuration } from '../../../src/spec/duration.ts';

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const objectName = fc.array(label, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
const duration = (minMs: number) => fc.integer({ min: minMs, max: 48 * 3_600_000 }).map(formatPromDuration);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops undefined fields, so the YAML has no `key: null` where the user would write nothing. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const headerName = fc.stringMatching(/^[a-z0-9][a-z0-9!#$%&'*+.^_`|~-]{0,12}$/);
const headerMatch = fc.oneof(
  // Envoy trims spaces and tabs around header values, so the spec refuses values that start or end with them.
  fc.string({ maxLength: 10 }).filter((v) => v.trim() === v).map((exact) => ({ exact })),
  fc.string({ minLength: 1, maxLength: 10 }).filter((v) => v.trimStart() === v).map((prefix) => ({ prefix })),
  fc.constantFrom('^internal$', '(?i)beta-.*', '[[:alpha:]]+', 'a|b', '\\d{3}').map((regex) => ({ regex })),
  fc.constant({}),
);

const commonStage = fc.record({ bake: optional(duration(0)), pause: optional(fc.boolean()) });

const darkLaunchStage = fc.tuple(
  fc.record({ headers: optional(fc.dictionary(headerName, headerMatch, { minKeys: 1, maxKeys: 3 })), keep: optional(fc.boolean()) }),
  commonStage,
).map(([darkLaunch, common]) => defined({ darkLaunch: defined(darkLaunch), ...common }));

const mirrorStage = fc.tuple(
  fc.record({ percentage: optional(fc.double({ min: 0.0001, max: 100, noNaN: true })) }),
  commonStage,
).map(([mirror, common]) => defined({ mirror: defined(mirror), ...common }));

const weightStages = fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { maxLength: 5 }).chain((weights) =>
  fc.tuple(...weights.sort((a, b) => a - b).map((weight) => commonStage.map((common) => defined({ weight, ...common })))),
);

const stages = fc
  .tuple(optional(darkLaunchStage), optional(mirrorStage), weightStages)
  .map(([dark, mirror, weights]) => [...(dark ? [dark] : []), ...(mirror ? [mirror] : []), ...weights])
  .filter((list) => list.length > 0);

const queries = fc.constantFrom(
  'sum(rate(errors_total{namespace="{{ namespace }}",workload="{{ canaryWorkload }}"}[{{ interval }}]))',
  'max(queue_depth{version="{{ canaryVersion }}"}) - max(queue_depth{version="{{ stableVersion }}"})',
  'avg_over_time(up{service="{{ service }}", workload!="{{ stableWorkload }}"}[{{interval}}])',
);

const common = { noData: optional(fc.constantFrom('fail', 'hold', 'pass')), failureLimit: optional(fc.integer({ min: 1, max: 10 })) };

function check(relativeAllowed: boolean) {
  const compare = relativeAllowed ? fc.constantFrom('absolute', 'relative', 'both') : fc.constant('absolute');
  const successRate = fc.record({
    type: fc.constant('success-rate'), compare, min: fc.double({ min: 0, max: 100, noNaN: true }), minRequests: optional(fc.nat(1000)), ...common,
  });
  const latency = fc.record({
    type: fc.constant('latency-p99'), compare, max: fc.double({ min: 1, max: 10_000, noNaN: true }), minRequests: optional(fc.nat(1000)), ...common,
  }).chain((c) => (c.compare === 'absolute' ? fc.constant(c) : fc.record({ maxRatio: optional(fc.double({ min: 1, max: 5, noNaN: true })) }).map((r) => ({ ...c, ...r }))));
  const custom = fc.record({
    type: fc.constant('custom'), query: queries, min: fc.integer({ min: -100, max: 0 }), max: optional(fc.integer({ min: 1, max: 100 })), ...common,
  });
  return fc.oneof(successRate, latency, custom).map(defined);
}

function analysis(relativeAllowed: boolean) {
  return fc.record({
    interval: optional(duration(1000)),
    prometheus: optional(fc.record({
      url: optional(fc.constantFrom('http://prometheus:9090', 'https://metrics.example.com/prom')),
      headers: optional(fc.dictionary(fc.stringMatching(/^X-[A-Za-z]{1,8}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 })),
      bearerTokenEnv: optional(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/)),
    }).map(defined)),
    failureLimit: optional(fc.integer({ min: 1, max: 5 })),
    maxHold: optional(duration(0)),
    alpha: optional(fc.double({ min: 0.001, max: 0.5, noNaN: true })),
    checks: fc.uniqueArray(label, { minLength: 1, maxLength: 4 }).chain((names) =>
      fc.tuple(...names.map((name) => check(relativeAllowed).map((c) => ({ name, ...c }))))),
  }).map(defined);
}

const versions = fc.uniqueArray(fc.stringMatching(/^v[0-9]{1,3}$/), { minLength: 2, maxLength: 2 });

/** A valid Canary document as a user could write it (optional fields sometimes left out). */
export const canaryDocument = fc
  .record({ name: label, namespace: label, virtualService: objectName, host: objectName, versions, stages, bake: optional(duration(0)), settle: optional(duration(0)) })
  .chain((base) => {
    const relativeAllowed = base.stages.some((s) => 'weight' in s && s.weight > 0 && s.weight < 100);
    return fc.record({
      base: fc.constant(base),
      route: optional(fc.string({ minLength: 1, maxLength: 12 })),
      destinationRule: optional(objectName),
      explicitStages: fc.boolean(),
      stableSubset: optional(label), canarySubset: optional(label),
      analysis: optional(analysis(relativeAllowed)),
    });
  })
  .filter(({ stableSubset, canarySubset, base }) =>
    (stableSubset ?? `version-${base.versions[0]}`) !== (canarySubset ?? `version-${base.versions[1]}`))
  .map(({ base, route, destinationRule, explicitStages, stableSubset, canarySubset, analysis }) => ({
    apiVersion: 'istio-canary/v1',
    kind: 'Canary',
    metadata: { name: base.name },
    spec: defined({
      namespace: base.namespace,
      virtualService: base.virtualService,
      route,
      destinationRule,
      host: base.host,
      stable: defined({ subset: stableSubset, labels: { version: base.versions[0]! } }),
      canary: defined({ subset: canarySubset, labels: { version: base.versions[1]! } }),
      stages: explicitStages || analysis?.checks.some((c) => 'compare' in c && c.compare !== 'absolute') ? base.stages : undefined,
      bake: base.bake,
      settle: base.settle,
      analysis,
    }),
  }));
