// Each commit of a release says what it does, read from the state the engine writes into the object.
import { describe, expect, it } from 'vitest';
import { commitMessageFor } from '../../../src/app/commit-messages.ts';
import type { RolloutState, StageRecord } from '../../../src/core/state.ts';
import type { CanarySpec } from '../../../src/spec/types.ts';

const spec = { name: 'catalog', stable: { subset: 'version-v1' }, canary: { subset: 'version-v2' }, stages: [{}, {}, {}, {}, {}] } as unknown as CanarySpec;
const ref = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'shop', name: 'catalog' };
const record = (stage: string, summary: string, result: StageRecord['result'], value?: number): StageRecord => ({
  stage,
  summary,
  startedAt: '2026-01-01T00:00:00Z',
  result,
  canaryWeight: 0,
  mirrorPercentage: 0,
  headerRule: false,
  evaluations: value === undefined ? [] : [{ at: '2026-01-01T00:01:00Z', decision: result === 'failed' ? 'fail' : 'continue', verdicts: [{ check: 'success', status: result === 'failed' ? 'fail' : 'pass', value, threshold: '>= 99%', reason: `${value}% of 400 requests`, requests: 400, queries: [] }] }],
});
const vsWith = (state: Partial<RolloutState>) => ({
  ...ref,
  metadata: { name: 'catalog', namespace: 'shop', annotations: { 'istio-canary.dev/catalog': JSON.stringify({ schema: 1, canary: 'catalog', specHash: 'h', canarySubset: 'version-v2', stageStartedAt: '2026-01-01T00:00:00Z', ...state }) } },
  spec: {},
});

describe('commitMessageFor', () => {
  it('a stage: its summary and number, the previous stage with its figures', () => {
    const object = vsWith({ status: 'in-progress', stageIndex: 2, history: [record('01-mirror', 'mirror 100% to version-v2', 'passed', 100), { ...record('02-weight-10', 'shift 10% of catalog traffic to version-v2', 'in-progress'), canaryWeight: 10 }] });
    const message = commitMessageFor(spec, { operation: 'write', ref, object: object as never }, { runId: 'run-1' });
    expect(message.headline).toBe('canary(catalog): shift 10% to version-v2 [3/5]');
    expect(message.body).toBe('Previous stage 01-mirror (mirror 100% to version-v2): passed\n  - success: pass, 100 (threshold >= 99%, 400 requests): 100% of 400 requests\n\nCanary-Stage: 02-weight-10\nCanary-Run: run-1');
  });

  it('a rollback says why and shows the failed stage', () => {
    const object = vsWith({ status: 'rolled-back', stageIndex: -1, reason: 'success 91.5% < 99%', history: [record('02-weight-10', 'shift 10% to version-v2', 'failed', 91.5)] });
    const message = commitMessageFor(spec, { operation: 'write', ref, object: object as never }, { runId: 'run-1', runUrl: 'https://ci.example/1' });
    expect(message.headline).toBe('canary(catalog): roll back to version-v1');
    expect(message.body).toContain('Rolled back: success 91.5% < 99%\n\nPrevious stage 02-weight-10 (shift 10% to version-v2): failed\n  - success: fail, 91.5');
    expect(message.body).toContain('Run: https://ci.example/1\n\nCanary-Stage: rolled-back\nCanary-Run: run-1');
  });

  it('an object without state is named by what happens to it', () => {
    const message = commitMessageFor(spec, { operation: 'create', ref: { ...ref, kind: 'DestinationRule', name: 'catalog' }, object: { apiVersion: 'v1', kind: 'DestinationRule', metadata: { name: 'catalog' } } }, { runId: 'r' });
    expect(message.headline).toBe('canary(catalog): create DestinationRule catalog for version-v2');
    expect(message.body).toBe('Canary-Stage: routing\nCanary-Run: r');
  });
});
