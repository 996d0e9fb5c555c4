// One Service per version in the spec: `host` on both versions (no subset, no labels needed), the
// released host defaulting to the stable one; every way to get it wrong is one problem at its line.
import { describe, expect, it } from 'vitest';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const doc = (versions: string) => `apiVersion: istio-canary/v1\nkind: Canary\nmetadata: {name: app}\nspec:\n  namespace: shop\n  virtualService: app\n${versions}`;
const problems = (versions: string) => {
  try {
    parseCanarySpecs(doc(versions), 'c.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  return 'parsed';
};

describe('one Service per version', () => {
  it('host on both versions: the stable host is released; subsets and workloads are the hosts\' short names', () => {
    const [spec] = parseCanarySpecs(doc('  stable: {host: app-stable}\n  canary: {host: app-canary.shop.svc.cluster.local, workload: app}\n'), 'c.yaml');
    expect(spec).toMatchObject({
      host: 'app-stable',
      stable: { host: 'app-stable', subset: 'app-stable', workload: 'app-stable', labels: {} },
      canary: { host: 'app-canary.shop.svc.cluster.local', subset: 'app-canary', workload: 'app' },
    });
  });

  it('accepts one workload for both Services without a mirror stage (Argo Rollouts: both Services select pods of one Rollout; the checks tell the versions apart by Service)', () => {
    const [spec] = parseCanarySpecs(doc('  stable: {host: app-stable, workload: app}\n  canary: {host: app-canary, workload: app}\n  stages: [{weight: 50}]\n'), 'c.yaml');
    expect(spec).toMatchObject({ stable: { host: 'app-stable', workload: 'app' }, canary: { host: 'app-canary', workload: 'app' } });
  });

  it.each([
    ['a mirror stage', '  stages: [{mirror: {percentage: 10}}, {weight: 50}]\n', 'stage 0 mirrors'],
    ['the default stages (dark launch, mirror, weights)', '', 'stage 1 mirrors'],
  ])('refuses one workload for both Services with %s: shadow requests are reported under the workload only', (_what, stages, where) => {
    expect(problems(`  stable: {host: app-stable, workload: app}\n  canary: {host: app-canary, workload: app}\n${stages}`)).toContain(
      `spec.canary.workload: stable and canary share the workload \`app\` and ${where}: shadow requests are reported only by the pod that receives them, under its workload, so the canary's could not be told from stable's; expected each version's own workload, or stages without \`mirror\``,
    );
  });

  it.each([
    ['host on one version only', '  stable: {host: app-stable}\n  canary: {labels: {version: v2}}\n', 'c.yaml:8:11 spec.canary: expected `host` here too: with one Service per version, both versions name their own Service (the stable version has `host: app-stable`)'],
    ['host and subset', '  stable: {host: app-stable, subset: x}\n  canary: {host: app-canary}\n', 'c.yaml:7:38 spec.stable.subset: `subset` and `host` exclude each other: a version is either a subset of the spec\'s host or a Service of its own; expected one of them'],
    ['the same Service twice', '  stable: {host: app}\n  canary: {host: app}\n', 'c.yaml:8:18 spec.canary.host: stable and canary are both the Service `app`; expected each version\'s own Service'],
    ['a spec host other than the stable Service', '  host: other\n  stable: {host: app-stable}\n  canary: {host: app-canary}\n', 'c.yaml:7:9 spec.host: with one Service per version the released host is the stable one, `app-stable`, not `other`; expected `host: app-stable` or no `host`'],
    ['neither host nor labels nor a spec host', '  stable: {subset: a, workload: a}\n  canary: {subset: b, workload: b}\n', 'spec.host: missing required field `host`'],
  ])('%s', (_what, versions, message) => {
    expect(problems(versions)).toContain(message);
  });
});
