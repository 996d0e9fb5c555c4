// A rollout started by an istio-canary from before the header-rule mark: its rule has no mark, and
// only this canary's state may vouch for it — and only for exactly the rule planned for the recorded
// stage. Everything else named like our rule stays refused (see foreign-header-rule.test.ts).
import { describe, expect, it } from 'vitest';
import { planLive } from '../../../src/engine/plan-live.ts';
import { encodeState } from '../../../src/core/state-codec.ts';
import { stateAnnotationKey, type RolloutState } from '../../../src/core/state.ts';
import { headerRuleMark, headerRuleMarkKey, withHeaderRuleMark } from '../../../src/istio/header-rule.ts';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { inputErrorMessage } from '../../support/input-error.ts';
import { STABLE, world } from '../engine/harness.ts';
import { canarySpec, seedDestinationRule, stage } from '../plan/helpers.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const owned: HttpRoute = { timeout: '3s', route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] };
const base: VirtualService = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { hosts: ['catalog'], http: [owned] } };

/** The state an older istio-canary wrote at `stageIndex` (same shape: the state schema did not change). */
function state(stageIndex: number, headerRule: boolean, status: RolloutState['status'] = 'in-progress'): string {
  const at = '2026-11-01T00:00:00.000Z';
  return encodeState({
    schema: 1, canary: 'catalog', specHash: 'sha256:older', canarySubset: 'version-v2', status, stageIndex, stageStartedAt: at,
    history: [{ stage: `0${stageIndex}-stage`, summary: 'stage', startedAt: at, result: 'in-progress', canaryWeight: 0, mirrorPercentage: 0, headerRule, evaluations: [] }],
  });
}

/** Stage `index` as an older istio-canary left it: the planned routing, no mark, `stateText` as its state. */
function legacy(index: number, stateText: string | undefined, spec = canarySpec()): VirtualService {
  const vs = withHeaderRuleMark(virtualServiceOf(planRelease(spec, base, seedDestinationRule()).stages[index]!), 'catalog', undefined);
  if (stateText !== undefined) vs.metadata.annotations = { ...vs.metadata.annotations, [stateAnnotationKey('catalog')]: stateText };
  return vs;
}

const NOT_OURS = "the route named 'catalog-dark-launch' is not this canary's header rule (no annotation header-rule.istio-canary.dev/catalog marks it";

describe('an unmarked header rule of a rollout started before the mark', () => {
  it('is taken for ours when the state records a header stage and the rule is exactly that stage\'s: the next stage writes the mark', () => {
    const plan = planLive(canarySpec(), [legacy(2, state(2, true)), seedDestinationRule()]);
    expect(plan.legacyHeaderRule).toBe(true);
    expect(plan.detected).toBe(2);
    const next = virtualServiceOf(plan.stages[3]!);
    expect(next.spec.http![0]!.name).toBe('catalog-dark-launch');
    expect(next.metadata.annotations?.[headerRuleMarkKey('catalog')]).toBe(headerRuleMark(next.spec.http![0]!));
    // The rollback removes the rule and leaves the user's route as it was before the release.
    expect(virtualServiceOf(plan.rollback).spec.http).toEqual([{ ...owned, route: [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 100 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 0 }] }]);
  });

  it('is taken for ours by a paused rollout and by the rollback plan too', () => {
    expect(planLive(canarySpec(), [legacy(0, state(0, true, 'paused')), seedDestinationRule()]).detected).toBe(0);
    const rollback = planLive(canarySpec(), [legacy(1, state(1, true)), seedDestinationRule()], { tolerateExistingProblems: true }).rollback;
    expect(virtualServiceOf(rollback).spec.http!.map((r) => r.name)).toEqual([undefined]);
  });

  it('is refused without a state', () => {
    expect(inputErrorMessage(() => planLive(canarySpec(), [legacy(2, undefined), seedDestinationRule()]))).toContain(NOT_OURS);
  });

  it('is refused when the state records a stage without the header rule, or no rollout under way', () => {
    // The stage record says no rule, though the planner's stage has one.
    expect(inputErrorMessage(() => planLive(canarySpec(), [legacy(2, state(2, false)), seedDestinationRule()]))).toContain(NOT_OURS);
    // The record says a rule, but the spec's stage has none (the dark launch is not kept).
    const notKept = canarySpec({ stages: [stage.darkLaunch(undefined, false), stage.weight(10), stage.weight(100)] });
    const rule = legacy(0, undefined, notKept).spec.http![0]!;
    const atWeight = legacy(1, state(1, true), notKept);
    atWeight.spec.http!.unshift(rule);
    expect(inputErrorMessage(() => planLive(notKept, [atWeight, seedDestinationRule()]))).toContain(NOT_OURS);
    for (const status of ['promoted', 'rolled-back'] as const) {
      expect(inputErrorMessage(() => planLive(canarySpec(), [legacy(2, state(2, true, status)), seedDestinationRule()]))).toContain(NOT_OURS);
    }
    expect(inputErrorMessage(() => planLive(canarySpec(), [legacy(2, state(-1, true)), seedDestinationRule()]))).toContain(NOT_OURS);
    expect(inputErrorMessage(() => planLive(canarySpec(), [legacy(2, state(9, true)), seedDestinationRule()]))).toContain(NOT_OURS);
    expect(inputErrorMessage(() => planLive(canarySpec(), [legacy(2, 'not json'), seedDestinationRule()]))).toContain(NOT_OURS);
  });

  it('is refused when its content differs in any way from the rule planned for the recorded stage', () => {
    const edits: Array<(rule: HttpRoute) => void> = [
      (r) => { r.timeout = '9s'; },
      (r) => { r.match = [{ uri: { prefix: '/beta' } }]; },
      (r) => { r.route = [{ destination: { host: 'catalog', subset: 'version-v1' } }]; },
      (r) => { r.match![0]!.headers = { 'x-istio-cohort': { exact: 'other' } }; },
    ];
    for (const edit of edits) {
      const vs = legacy(2, state(2, true));
      edit(vs.spec.http![0]!);
      expect(inputErrorMessage(() => planLive(canarySpec(), [vs, seedDestinationRule()]))).toContain(NOT_OURS);
    }
    // Another spec's headers: the rule is the old spec's, not what this spec plans.
    const otherHeaders = canarySpec({ stages: [stage.darkLaunch({ 'x-beta': { exact: 'yes' } }), stage.weight(10), stage.weight(100)] });
    expect(inputErrorMessage(() => planLive(otherHeaders, [legacy(1, state(1, true)), seedDestinationRule()]))).toContain(NOT_OURS);
  });

  it("the issue's foreign route (/beta, 9s, to version-v1) is refused even beside a state recording a header stage", () => {
    const beta: HttpRoute = { name: 'catalog-dark-launch', match: [{ uri: { prefix: '/beta' } }], timeout: '9s', route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] };
    const vs = structuredClone(base);
    vs.spec.http = [beta, owned];
    expect(inputErrorMessage(() => planLive(canarySpec(), [vs, seedDestinationRule()]))).toContain(NOT_OURS);
    vs.metadata.annotations = { [stateAnnotationKey('catalog')]: state(0, true) };
    expect(inputErrorMessage(() => planLive(canarySpec(), [vs, seedDestinationRule()]))).toContain(NOT_OURS);
  });
});

describe('the engine on a rollout started before the mark', () => {
  /** A world whose rollout was started (dark launch under way), then its mark removed: the older shape. */
  async function legacyWorld() {
    const w = world();
    await w.exec('start');
    w.routing.edit<VirtualService>('VirtualService', 'istioinaction', 'catalog', (vs) => {
      delete vs.metadata.annotations![headerRuleMarkKey('catalog')];
    });
    expect(w.traffic().header).toBe(true);
    return w;
  }

  it('abort puts all traffic on stable and says the unmarked rule was taken as ours', async () => {
    const w = await legacyWorld();
    const result = await w.exec('abort');
    expect(result.status).toBe('rolled-back');
    expect(w.traffic()).toEqual(STABLE);
    expect(w.vs().spec.http!.some((r) => r.name === 'catalog-dark-launch')).toBe(false);
    expect(w.log.messages('info').join('\n')).toContain("the header rule 'catalog-dark-launch' had no mark (written by an older istio-canary)");
  });

  it('advance moves on and the write adds the mark', async () => {
    const w = await legacyWorld();
    w.clock.advance(10 * 60_000);
    const result = await w.exec('advance');
    expect(result.status).toBe('in-progress');
    expect(w.state()?.stageIndex).toBe(1);
    const vs = w.vs();
    const rule = vs.spec.http!.find((r) => r.name === 'catalog-dark-launch')!;
    expect(vs.metadata.annotations?.[headerRuleMarkKey('catalog')]).toBe(headerRuleMark(rule));
    expect(w.log.messages('info').join('\n')).toContain('added its mark (annotation header-rule.istio-canary.dev/catalog)');
  });
});
