import { describe, expect, it } from 'vitest';
import { cohortOf, promqlDuration, queryVarsFor } from '../../../src/analysis/cohort.ts';
import { renderQuery } from '../../../src/analysis/render.ts';
import type { CanarySpec, StageSpec } from '../../../src/spec/types.ts';

describe('cohortOf', () => {
  it.each<[StageSpec, string]>([
    [{ kind: 'darkLaunch', bake: 1, pause: false, headers: {}, keep: true }, 'dark-launch'],
    [{ kind: 'mirror', bake: 1, pause: false, percentage: 50 }, 'mirror'],
    [{ kind: 'weight', bake: 1, pause: false, weight: 10 }, 'shift'],
  ])('%j is %s', (stage, cohort) => {
    expect(cohortOf(stage)).toBe(cohort);
  });
});

describe('the service label of a host', () => {
  // One rule with the routing (src/istio/hosts.ts): only a dotless host gets the namespace, as in pilot.
  it.each([
    ['catalog', 'catalog.shop.svc.cluster.local'],
    ['catalog.other', 'catalog.other'],
    ['catalog.other.svc', 'catalog.other.svc'],
    ['catalog.other.svc.cluster.local', 'catalog.other.svc.cluster.local'],
    ['catalog.other.svc.corp.internal', 'catalog.other.svc.corp.internal'],
  ])('%s in namespace shop is %s', (host, fqdn) => {
    expect(queryVarsFor({ host, namespace: 'shop', canary: { workload: 'c' }, stable: { workload: 's' } } as CanarySpec, 60_000).service).toBe(fqdn);
  });
});

describe('promqlDuration', () => {
  it.each([
    [60_000, '1m'],
    [90_000, '90s'],
    [7_200_000, '2h'],
    [1500, '1500ms'],
    [600_000, '10m'],
  ])('%i ms is %s', (ms, duration) => {
    expect(promqlDuration(ms)).toBe(duration);
  });

  it('rejects a window that is not a positive whole number of ms', () => {
    expect(() => promqlDuration(0)).toThrow('query window must be a positive whole number of ms, got 0');
    expect(() => promqlDuration(1.5)).toThrow('got 1.5');
  });
});

describe('queryVarsFor', () => {
  const spec = {
    name: 'catalog',
    namespace: 'shop',
    host: 'catalog',
    stable: { subset: 'v1', labels: { version: 'v1' }, workload: 'catalog-v1', version: 'v1' },
    canary: { subset: 'v2', labels: { track: 'canary' }, workload: 'catalog-canary' },
  } as unknown as CanarySpec;

  it('with one Service per version, {{ canaryService }} and {{ stableService }} are each version\'s Service as destination_service has it', () => {
    const perVersion = { ...spec, stable: { ...spec.stable, host: 'catalog-v1' }, canary: { ...spec.canary, host: 'catalog-v2.shop.svc.cluster.local' } } as unknown as CanarySpec;
    const vars = queryVarsFor(perVersion, 60_000);
    expect([vars.stableService, vars.canaryService]).toEqual(['catalog-v1.shop.svc.cluster.local', 'catalog-v2.shop.svc.cluster.local']);
    expect(renderQuery('sum(rate(istio_requests_total{destination_service="{{ canaryService }}"}[{{ interval }}]))', vars)).toBe('sum(rate(istio_requests_total{destination_service="catalog-v2.shop.svc.cluster.local"}[1m]))');
  });

  it('takes workloads and versions from the spec and the window from the caller', () => {
    expect(queryVarsFor(spec, 300_000)).toEqual({
      namespace: 'shop',
      service: 'catalog.shop.svc.cluster.local',
      canaryService: 'catalog.shop.svc.cluster.local',
      stableService: 'catalog.shop.svc.cluster.local',
      canaryWorkload: 'catalog-canary',
      stableWorkload: 'catalog-v1',
      canaryVersion: '',
      stableVersion: 'v1',
      interval: '5m',
      reporter: 'destination',
      clientReporter: 'source',
    });
  });

  it('reads metrics from the waypoint behind an ambient waypoint', () => {
    expect(queryVarsFor({ ...spec, dataPlane: 'waypoint' }, 60_000)).toMatchObject({ reporter: 'waypoint', clientReporter: 'waypoint' });
  });

  it('names each version by its Service (FQDN, as destination_service has it) when each version is its own Service', () => {
    const perService = { ...spec, host: 'app-stable', stable: { host: 'app-stable', workload: 'app' }, canary: { host: 'app-canary.other', workload: 'app' } } as unknown as CanarySpec;
    expect(queryVarsFor(perService, 60_000).services).toEqual({ canary: 'app-canary.other', stable: 'app-stable.shop.svc.cluster.local' });
    expect(queryVarsFor(spec, 60_000).services).toBeUndefined();
  });
});
