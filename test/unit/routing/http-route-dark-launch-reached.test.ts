// A dark-launch rule that a match ranked above it would take every request from is refused, naming
// that match (of the route or of another route on the parent); a match that only looks alike (another
// header value, a method, a longer path) leaves it reachable.
import { describe, expect, it } from 'vitest';
import { covers } from '../../../src/routing/http-route/dark-launch-reached.ts';
import { httpRouteBackend } from '../../../src/routing/http-route/backend.ts';
import type { HTTPRoute, RouteMatch, RouteRule } from '../../../src/routing/http-route/types.ts';
import { planWith } from '../../../src/routing/plan.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { inputErrorMessage } from '../../support/input-error.ts';

const spec = (cohort: string) =>
  parseCanarySpecs(
    ['apiVersion: istio-canary/v1', 'kind: Canary', 'metadata: {name: web}', 'spec:', '  namespace: shop', '  routing: httpRoute', '  httpRoute: web', '  route: main', '  stable: {service: web-v1}', '  canary: {service: web-v2}', `  stages: [{darkLaunch: {headers: {x-cohort: {exact: ${cohort}}}}}, {weight: 10}]`].join('\n'),
    'canary.yaml',
  )[0]!;

const insiders: RouteMatch = { path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-cohort', value: 'insider' }] };

function route(name: string, created: string, rules: RouteRule[]): HTTPRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace: 'shop', creationTimestamp: created }, spec: { parentRefs: [{ name: 'edge' }], rules } };
}

const web = (before: RouteRule[]) => route('web', '2026-02-01T00:00:00Z', [...before, { name: 'main', backendRefs: [{ name: 'web-v1', port: 80 }] }]);

describe('the dark-launch rule is reachable', () => {
  it('covers: a match accepts every request of another when each of its conditions is one of the other\'s', () => {
    const dark: RouteMatch = { path: { type: 'PathPrefix', value: '/api' }, method: 'GET', headers: [{ name: 'X-Cohort', value: 'insider' }], queryParams: [{ name: 'v', value: '2' }] };
    expect(covers({ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-cohort', value: 'insider' }] }, dark)).toBe(true);
    expect(covers({}, dark)).toBe(true);
    expect(covers({ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-cohort', value: 'staff' }] }, dark)).toBe(false);
    expect(covers({ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }, dark)).toBe(false);
    expect(covers({ path: { type: 'Exact', value: '/api' } }, dark)).toBe(false);
    expect(covers({ path: { type: 'PathPrefix', value: '/api' }, queryParams: [{ name: 'V', value: '2' }] }, dark)).toBe(false);
  });

  it('refuses a cohort a rule listed first already takes whole, naming that rule', () => {
    const live = web([{ matches: [insiders], backendRefs: [{ name: 'web-v2', port: 80 }] }]);
    expect(inputErrorMessage(() => planWith(httpRouteBackend, spec('insider'), [live as never], { unrecorded: true }))).toBe(
      'HTTPRoute shop/web: spec.rules[1].matches[0]: spec.rules[0].matches[0] ranks above the dark-launch match and accepts every request it accepts (Gateway API precedence): the dark-launch rule would never be reached and the cohort would go where that match sends it; expected a cohort header, or header value, that match does not accept',
    );
    expect(planWith(httpRouteBackend, spec('staff'), [live as never], { unrecorded: true }).stages).toHaveLength(2);
  });

  it('refuses one an older route on the same parent takes whole, and not one a younger route would', () => {
    const older = route('preview', '2026-01-01T00:00:00Z', [{ matches: [insiders], backendRefs: [{ name: 'preview', port: 80 }] }]);
    expect(inputErrorMessage(() => planWith(httpRouteBackend, spec('insider'), [web([]) as never, older as never], { unrecorded: true }))).toContain(
      'HTTPRoute shop/preview spec.rules[0].matches[0] ranks above the dark-launch match',
    );
    // Younger, the route's match ranks after the dark-launch match: it stands between it and the owned
    // match instead, which the precedence proof refuses for its own reason.
    const younger = { ...older, metadata: { ...older.metadata, creationTimestamp: '2026-03-01T00:00:00Z' } };
    expect(inputErrorMessage(() => planWith(httpRouteBackend, spec('insider'), [web([]) as never, younger as never], { unrecorded: true }))).toContain('ranks between the dark-launch match and the owned match');
  });
});
