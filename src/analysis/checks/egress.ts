// `egress`, the egress gate: the canary's outbound calls that the mesh blocked (REGISTRY_ONLY: the `block_all`
// route's 502, labelled `destination_service_name="BlackHoleCluster"`) or that left the mesh through
// `PassthroughCluster` (ALLOW_ANY) to a host not declared in spec.egress.hosts. Stable's calls to the
// same hosts are fetched in the same query and shown beside them, so an old dependency (stable
// makes it too) is told apart from a new one.
//
// Telemetry, as Istio's stats filter reports it (istio.io blog "Monitoring blocked and passthrough
// external service traffic"; test/sim follows it): only the caller's proxy reports these calls
// (`reporter="source"`, `source_workload` = the caller), `destination_service` is the Host the
// application asked for (possibly with a port; `unknown` for TCP), response flags are `-`.
//
// Destination hosts come from the application's requests, so whoever controls the canary controls
// them: they are quoted and cut in every sentence built here, and the report escapes them again.
import { hostPatternMatches } from '../../istio/hosts.ts';
import { escapeRe2, quotePromqlString } from '../escape.ts';
import type { Sample } from '../metrics-source.ts';
import { checkedDuration } from '../render.ts';
import type { CheckSpec, QueryResult, PlannedQuery, QueryVars, VerdictStatus } from '../types.ts';
import type { CheckType } from './check-type.ts';

export const EGRESS_CHECK = 'egress';
export const BLACK_HOLE = 'BlackHoleCluster';
export const PASSTHROUGH = 'PassthroughCluster';
export const EGRESS_ROLE = 'outbound';

export type EgressGateVars = Pick<QueryVars, 'namespace' | 'canaryWorkload' | 'stableWorkload' | 'interval'>;

export interface EgressGateSpec {
  /** Declared outside hosts (exact or `*.suffix`). */
  hosts: string[];
  policy: 'fail' | 'warn';
}

/** One destination's outbound calls in the window, canary and stable side by side. */
export interface OutboundFinding {
  /** The host as telemetry carries it (`unknown` when it carries none). */
  host: string;
  cluster: typeof BLACK_HOLE | typeof PASSTHROUGH;
  canary: number;
  stable: number;
  /** Response codes the canary saw, e.g. `502`. */
  codes: string[];
  /** Why it counts against the canary: blocked, or not declared. */
  problem: 'blocked' | 'undeclared';
}

export interface EgressOutcome {
  status: VerdictStatus;
  threshold: string;
  reason: string;
  /** The canary's blocked or undeclared calls in the window. */
  value: number;
  findings: OutboundFinding[];
  /** Set when policy `warn` let a stage pass despite findings: the report shows it. */
  warning?: string;
}

/** One vector: source-side calls of the canary and stable workloads that went to BlackHole or Passthrough, by host and code. */
export function egressQuery(vars: EgressGateVars): PlannedQuery {
  checkedDuration(vars.interval);
  const selector = [
    'reporter="source"',
    `source_workload_namespace=${quotePromqlString(vars.namespace)}`,
    `source_workload=~${quotePromqlString(`${escapeRe2(vars.canaryWorkload)}|${escapeRe2(vars.stableWorkload)}`)}`,
    `destination_service_name=~"${BLACK_HOLE}|${PASSTHROUGH}"`,
  ].join(',');
  return {
    role: EGRESS_ROLE,
    promql: `sum by (source_workload, destination_service_name, destination_service, response_code) (increase(istio_requests_total{${selector}}[${vars.interval}]))`,
    grouped: { kind: 'series', by: 'source_workload', canary: vars.canaryWorkload, stable: vars.stableWorkload },
  };
}

/** The host part of a `destination_service` value (`api.example.com:8080` → `api.example.com`). */
export function hostOf(destinationService: string | undefined): string {
  const value = destinationService ?? '';
  if (value === '' || value === 'unknown') return 'unknown';
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracket) return bracket[1]!;
  const port = /^(.*):\d+$/.exec(value);
  return (port ? port[1]! : value).toLowerCase().replace(/\.$/, '');
}

/** A host from telemetry, safe to put in a sentence: quoted, one line, at most 100 characters. */
export function shownHost(host: string): string {
  const oneLine = host.replace(/[\p{Cc}\u2028\u2029]/gu, '?');
  return JSON.stringify(oneLine.length > 100 ? `${oneLine.slice(0, 97)}...` : oneLine);
}

function declared(host: string, hosts: string[]): boolean {
  return host !== 'unknown' && hosts.some((pattern) => hostPatternMatches(pattern, host));
}

/** Sums the canary's and stable's series per (cluster, host). */
export function outboundFindings(sides: { canary: Sample[]; stable: Sample[] }, spec: EgressGateSpec): OutboundFinding[] {
  const byKey = new Map<string, OutboundFinding>();
  const all = [...sides.canary.map((s) => ['canary', s] as const), ...sides.stable.map((s) => ['stable', s] as const)];
  for (const [who, sample] of all) {
    const cluster = sample.labels.destination_service_name;
    if (cluster !== BLACK_HOLE && cluster !== PASSTHROUGH) continue;
    if (!Number.isFinite(sample.value)) continue;
    const host = hostOf(sample.labels.destination_service);
    const key = `${cluster} ${host}`;
    let f = byKey.get(key);
    if (!f) {
      f = { host, cluster, canary: 0, stable: 0, codes: [], problem: cluster === BLACK_HOLE ? 'blocked' : 'undeclared' };
      byKey.set(key, f);
    }
    f[who] += sample.value;
    const code = sample.labels.response_code;
    if (who === 'canary' && sample.value > 0 && code !== undefined && !f.codes.includes(code)) f.codes.push(code);
  }
  return [...byKey.values()]
    .filter((f) => f.cluster === BLACK_HOLE || !declared(f.host, spec.hosts))
    .sort((a, b) => b.canary - a.canary || a.host.localeCompare(b.host));
}

function count(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function describe(f: OutboundFinding): string {
  const what = f.problem === 'blocked' ? `blocked by the mesh (${BLACK_HOLE}${f.codes.length ? `, ${f.codes.sort().join('/')}` : ''})` : `left through ${PASSTHROUGH}, not in egress.hosts`;
  const to = f.host === 'unknown' ? 'an unnamed destination (telemetry carries no host)' : shownHost(f.host);
  const stable = f.stable > 0 ? `stable also ${count(f.stable)} (an old dependency)` : 'stable none (new with the canary)';
  return `${count(f.canary)} call(s) to ${to} ${what}; ${stable}`;
}

/** The gate's verdict from the results of egressQuery (the canary's and stable's series). */
export function judgeEgress(results: QueryResult[], spec: EgressGateSpec): EgressOutcome {
  const series = (side: string) => results.find((r) => r.role === `${EGRESS_ROLE}:${side}`)?.series ?? [];
  const findings = outboundFindings({ canary: series('canary'), stable: series('stable') }, spec);
  const against = findings.filter((f) => f.canary > 0);
  const value = against.reduce((sum, f) => sum + f.canary, 0);
  const threshold = `no blocked or undeclared outbound calls (policy ${spec.policy})`;
  const stableOnly = findings.filter((f) => f.canary === 0 && f.stable > 0);
  const beside = stableOnly.length ? `; stable alone: ${stableOnly.map((f) => `${count(f.stable)} to ${f.host === 'unknown' ? 'an unnamed destination' : shownHost(f.host)} (${f.problem})`).join(', ')}` : '';
  if (against.length === 0) return { status: 'pass', threshold, reason: `no blocked or undeclared outbound calls from the canary${beside}`, value, findings };
  const reason = `${against.map(describe).join('; ')}${beside}`;
  if (spec.policy === 'warn') return { status: 'pass', threshold, reason: `warning: ${reason}`, value, findings, warning: reason };
  return { status: 'fail', threshold, reason, value, findings };
}

/** The gate's check as the spec's `egress` adds it to every stage (never written by hand). */
export function egressGateCheck(hosts: string[], policy: 'fail' | 'warn'): CheckSpec {
  return { name: EGRESS_CHECK, type: EGRESS_CHECK, compare: 'absolute', minRequests: 0, noData: 'pass', failureLimit: 1, hosts, policy };
}

export const egressGate: CheckType = {
  name: EGRESS_CHECK,
  implicit: true,
  schema: {
    description: '`egress`: the egress gate, added to every stage by `spec.egress` (not written here): fails on the canary\'s outbound calls the mesh blocked or that went to hosts not declared.',
    properties: {
      hosts: { description: 'egress: the declared outside hosts (from spec.egress.hosts).', type: 'array', items: { type: 'string' } },
      policy: { description: 'egress: `fail` the stage, or `warn` (from spec.egress.policy).', enum: ['fail', 'warn'] },
    },
  },
  // Over the whole stage (a blocked call at any time counts), and a quick look may fail it early.
  counted: true,
  unit: ' calls',
  // The schema does not offer the type, so a spec never holds this check as written.
  specRules() {},
  queries: (_check, _cohort, vars) => [egressQuery(vars)],
  judge(check, _cohort, results) {
    const out = judgeEgress(results, { hosts: check.hosts ?? [], policy: check.policy ?? 'fail' });
    return { status: out.status, threshold: out.threshold, reason: out.reason, value: out.value };
  },
};
