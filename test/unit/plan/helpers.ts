// Test factories: Canary specs built directly (no parser) and the seed's manifests.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { DestinationRule, VirtualService } from '../../../src/istio/types.ts';
import type { CanarySpec, StageSpec, StringMatch } from '../../../src/spec/types.ts';
import { refKey } from '../../../src/plan/objects.ts';
import { isChange } from '../../../src/plan/operations.ts';
import type { PlannedStage } from '../../../src/plan/types.ts';
import { canarySpec as sharedCanarySpec } from '../../support/rollout-fixtures.ts';

const SEED = new URL('../../fixtures/seed/', import.meta.url);

export function seedVirtualService(file: string): VirtualService {
  return parse(readFileSync(new URL(file, SEED), 'utf8')) as VirtualService;
}

export function seedDestinationRule(): DestinationRule {
  return parse(readFileSync(new URL('destinationrule.yaml', SEED), 'utf8')) as DestinationRule;
}

const common = { bake: 300_000, pause: false };

export const stage = {
  darkLaunch: (headers: Record<string, StringMatch> = { 'x-istio-cohort': { exact: 'internal' } }, keep = true): StageSpec => ({ kind: 'darkLaunch', headers, keep, ...common }),
  mirror: (percentage = 100): StageSpec => ({ kind: 'mirror', percentage, ...common }),
  weight: (weight: number): StageSpec => ({ kind: 'weight', weight, ...common }),
};

export const DEFAULT_STAGES: StageSpec[] = [stage.darkLaunch(), stage.mirror(100), stage.weight(10), stage.weight(50), stage.weight(100)];

/** The example spec (catalog in istioinaction, v1 → v2, the five default stages), host as the seed writes it. */
export function canarySpec(overrides: Partial<CanarySpec> = {}): CanarySpec {
  return sharedCanarySpec({ host: 'catalog', stages: DEFAULT_STAGES, ...overrides });
}

/** A stage's writes as the plan used to list them: each changed object's kind, and whether a later
 * write of the stage waits for it (then the settle delay passes in between). */
export function writesOf(stage: PlannedStage): Array<{ kind: string; settleAfter: boolean }> {
  const changes = stage.operations.filter(isChange);
  return changes.map((op) => ({ kind: op.ref.kind, settleAfter: changes.some((later) => later.after.some((r) => refKey(r) === refKey(op.ref))) }));
}
