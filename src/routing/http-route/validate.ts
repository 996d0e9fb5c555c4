// What the API server's HTTPRoute schema (sigs.k8s.io/gateway-api CRD, v1) would refuse in a route
// istio-canary is about to write, checked before the write so a stage never fails half-way: the
// rule and match limits, unique rule names, header match values, weights and mirror shares.
import type { InputProblem } from '../../errors.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import type { HTTPRoute } from './types.ts';

const MAX_RULES = 16;
const MAX_MATCHES_TOTAL = 128;
const MAX_HEADERS = 16;
const MAX_HEADER_VALUE = 4096;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

export function validateHttpRoute(route: HTTPRoute): InputProblem[] {
  const problems: InputProblem[] = [];
  const at = (path: string, message: string) => problems.push(objectProblem(route, path, message));
  const rules = route.spec.rules ?? [];
  if (rules.length > MAX_RULES) at('spec.rules', `${rules.length} rules; an HTTPRoute holds at most ${MAX_RULES} (the dark-launch rule needs one free)`);
  const matches = rules.reduce((n, r) => n + (r.matches?.length ?? 1), 0);
  if (matches > MAX_MATCHES_TOTAL) at('spec.rules', `${matches} matches in all; an HTTPRoute holds at most ${MAX_MATCHES_TOTAL}`);
  const names = new Set<string>();
  rules.forEach((rule, i) => {
    if (rule.name !== undefined) {
      if (names.has(rule.name)) at(`spec.rules[${i}].name`, `rule name '${rule.name}' is used twice; rule names must be unique within the route`);
      names.add(rule.name);
    }
    (rule.matches ?? []).forEach((m, j) => {
      const headers = m.headers ?? [];
      if (headers.length > MAX_HEADERS) at(`spec.rules[${i}].matches[${j}].headers`, `${headers.length} header matches; at most ${MAX_HEADERS}`);
      headers.forEach((h, k) => {
        if (!HEADER_NAME.test(h.name)) at(`spec.rules[${i}].matches[${j}].headers[${k}].name`, `'${h.name}' is not an HTTP header name (RFC 7230 token characters)`);
        if (h.value.length < 1 || h.value.length > MAX_HEADER_VALUE) at(`spec.rules[${i}].matches[${j}].headers[${k}].value`, `a header match value must have 1 to ${MAX_HEADER_VALUE} characters, got ${h.value.length}`);
      });
    });
    (rule.backendRefs ?? []).forEach((b, k) => {
      if (b.weight !== undefined && !(Number.isInteger(b.weight) && b.weight >= 0 && b.weight <= 1_000_000)) at(`spec.rules[${i}].backendRefs[${k}].weight`, `weight ${b.weight}; expected a whole number from 0 to 1000000`);
    });
    (rule.filters ?? []).forEach((f, k) => {
      const m = f.requestMirror;
      if (f.type !== 'RequestMirror' || m === undefined) return;
      if (m.percent !== undefined && !(Number.isInteger(m.percent) && m.percent >= 0 && m.percent <= 100)) at(`spec.rules[${i}].filters[${k}].requestMirror.percent`, `percent ${m.percent}; expected a whole number from 0 to 100`);
      if (m.fraction !== undefined && !(m.fraction.numerator >= 0 && m.fraction.numerator <= (m.fraction.denominator ?? 100))) at(`spec.rules[${i}].filters[${k}].requestMirror.fraction`, 'numerator must be less than or equal to denominator');
    });
  });
  return problems;
}
