// istiod's validating-webhook rules for the fields istio-canary touches (see
// shared/reference/istio-semantics.md). The API server does not run them, so we do: a VirtualService
// that passes the CRD schema but breaks one of these would be rejected (or misroute) in a real mesh.
import { isDnsLabel } from '../spec/names.ts';
import { regexProblem } from '../spec/regex.ts';
import type { DestinationRule, HttpRoute, VirtualService } from './types.ts';

export interface RuleProblem {
  /** Short rule id, named in bug reports for produced objects. */
  rule: string;
  path: string;
  message: string;
}

// RFC 7230 token, optionally an HTTP/2 pseudo-header such as `:authority` (which Istio matches on).
const HEADER_NAME = /^:?[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function virtualServiceRuleProblems(vs: VirtualService): RuleProblem[] {
  return [...hostsProblems(vs), ...(vs.spec.http ?? []).flatMap((r, i) => httpRouteProblems(r, `spec.http[${i}]`))];
}

/** istiod reads a VirtualService without hosts as a delegate and refuses one with gateways, tcp or
 * tls; without them it routes only what a root VirtualService delegates to it, which no plan here can
 * see, so the canary refuses it too rather than show stages that may carry no traffic. */
function hostsProblems(vs: VirtualService): RuleProblem[] {
  if ((vs.spec.hosts ?? []).length > 0) return [];
  const delegateOnly = ['gateways', 'tcp', 'tls'].filter((k) => ((vs.spec[k] as unknown[] | undefined) ?? []).length > 0);
  const why = delegateOnly.length > 0 ? `istiod refuses a VirtualService without hosts that has ${delegateOnly.map((k) => `\`${k}\``).join(', ')}` : 'a VirtualService without hosts is a delegate: it routes only what a root VirtualService delegates to it';
  return [{ rule: 'hosts-required', path: 'spec.hosts', message: `no hosts: ${why}; expected at least one host` }];
}

export function destinationRuleRuleProblems(dr: DestinationRule): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (!dr.spec.host) out.push({ rule: 'host-required', path: 'spec.host', message: 'host must not be empty' });
  const seen = new Set<string>();
  (dr.spec.subsets ?? []).forEach((s, i) => {
    const path = `spec.subsets[${i}].name`;
    if (!isDnsLabel(s.name)) out.push({ rule: 'subset-name', path, message: `subset name '${s.name}' is not a DNS-1123 label` });
    if (seen.has(s.name)) out.push({ rule: 'subset-unique', path, message: `duplicate subset name '${s.name}'` });
    seen.add(s.name);
  });
  return out;
}

function httpRouteProblems(r: HttpRoute, path: string): RuleProblem[] {
  return [...actionProblems(r, path), ...destinationProblems(r, path), ...mirrorProblems(r, path), ...matchProblems(r, path)];
}

/** A rule does exactly one thing: route, redirect, respond directly, or delegate. */
function actionProblems(r: HttpRoute, path: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  const has = (k: string) => r[k] !== undefined;
  const conflict = (a: string, b: string) => out.push({ rule: 'conflicting-actions', path: `${path}.${b}`, message: `\`${a}\` cannot be combined with \`${b}\`` });
  if (!has('route') && !has('redirect') && !has('directResponse') && !has('delegate')) {
    out.push({ rule: 'action-required', path, message: 'an http route needs one of `route`, `redirect`, `directResponse` or `delegate`' });
  }
  if (has('redirect')) for (const k of ['route', 'fault', 'rewrite', 'directResponse']) if (has(k)) conflict('redirect', k);
  if (has('directResponse')) for (const k of ['route', 'fault', 'rewrite']) if (has(k)) conflict('directResponse', k);
  if (has('delegate')) for (const k of ['route', 'redirect']) if (has(k)) conflict('delegate', k);
  return out;
}

function destinationProblems(r: HttpRoute, path: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  const route = r.route ?? [];
  let total = 0;
  route.forEach((d, k) => {
    const at = `${path}.route[${k}]`;
    if (typeof d.weight === 'number' && d.weight < 0) out.push({ rule: 'weight-range', path: `${at}.weight`, message: `weight ${d.weight} is negative` });
    total += typeof d.weight === 'number' ? d.weight : 0;
    out.push(...hostAndSubsetProblems(d.destination, `${at}.destination`));
  });
  if (route.length > 1 && total <= 0) out.push({ rule: 'weight-total', path: `${path}.route`, message: 'total destination weight = 0; with several destinations the weights must add up to more than 0' });
  return out;
}

function hostAndSubsetProblems(d: { host?: unknown; subset?: unknown } | undefined, path: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (typeof d?.host !== 'string' || d.host === '') out.push({ rule: 'host-required', path: `${path}.host`, message: 'destination host must not be empty' });
  if (typeof d?.subset === 'string' && !isDnsLabel(d.subset)) {
    out.push({ rule: 'subset-name', path: `${path}.subset`, message: `subset '${d.subset}' is not a DNS-1123 label` });
  }
  return out;
}

function mirrorProblems(r: HttpRoute, path: string): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (r.mirror !== undefined && r.mirrors !== undefined) out.push({ rule: 'mirror-exclusive', path: `${path}.mirrors`, message: '`mirror` and `mirrors` are mutually exclusive' });
  if (r.mirror !== undefined) out.push(...hostAndSubsetProblems(r.mirror, `${path}.mirror`));
  const value = r.mirrorPercentage?.value;
  if (value !== undefined && !(value >= 0 && value <= 100)) out.push({ rule: 'mirror-percentage', path: `${path}.mirrorPercentage.value`, message: `mirror percentage ${value} is outside 0..100` });
  return out;
}

const STRING_MATCH_FIELDS = ['uri', 'scheme', 'method', 'authority'] as const;
const NAMED_MATCH_FIELDS = ['headers', 'withoutHeaders', 'queryParams'] as const;

function matchProblems(r: HttpRoute, path: string): RuleProblem[] {
  return (r.match ?? []).flatMap((m, j) => {
    const at = `${path}.match[${j}]`;
    const plain = STRING_MATCH_FIELDS.flatMap((field) => (m[field] === undefined ? [] : stringMatchProblems(m[field], `${at}.${field}`)));
    const named = NAMED_MATCH_FIELDS.flatMap((field) =>
      Object.entries((m[field] ?? {}) as Record<string, unknown>).flatMap(([name, sm]) => [
        ...(field !== 'queryParams' && !HEADER_NAME.test(name) ? [{ rule: 'header-name', path: `${at}.${field}.${name}`, message: `header name '${name}' has characters outside an HTTP token` }] : []),
        ...stringMatchProblems(sm, `${at}.${field}.${name}`),
      ]),
    );
    return [...plain, ...named];
  });
}

function stringMatchProblems(sm: unknown, path: string): RuleProblem[] {
  const m = (sm ?? {}) as { prefix?: unknown; regex?: unknown };
  if (m.prefix === '') return [{ rule: 'string-match', path: `${path}.prefix`, message: 'prefix match must not be empty' }];
  if (m.regex === '') return [{ rule: 'string-match', path: `${path}.regex`, message: 'regex match must not be empty' }];
  return typeof m.regex === 'string' ? regexProblems(m.regex, `${path}.regex`) : [];
}

function regexProblems(regex: string, path: string): RuleProblem[] {
  // The same RE2 check as the spec's headers: istiod compiles with Go's RE2, so `(?i)` or `\pL` pass
  // and lookarounds or backreferences (which JavaScript accepts) do not.
  const problem = regexProblem(regex);
  return problem === undefined ? [] : [{ rule: 'regex', path, message: problem }];
}
