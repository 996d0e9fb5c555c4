// When is our commit in effect: Argo CD, Flux and the live objects, read as those controllers report.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/engine/memory.ts';
import { InputError } from '../../../src/errors.ts';
import {
  argoObservation,
  argoRevisions,
  fluxObservation,
  fluxRevisionSha,
  liveObservation,
  type ArgoApplication,
  type FluxKustomization,
  type SyncObservation,
} from '../../../src/gitops/sync-status.ts';
import { SyncFailedError, SyncTimeoutError, fixedSyncWait, waitForSync } from '../../../src/gitops/sync-wait.ts';

const OURS = 'a'.repeat(40);
const LATER = 'b'.repeat(40); // a later head that contains ours (the controller skipped ours)
const BEFORE = 'c'.repeat(40); // the head before ours
const contains = (rev: string) => rev === OURS || rev === LATER;

function argoApp(over: { sync?: string; revision?: string; phase?: string; opRevision?: string; finishedAt?: string; reconciledAt?: string; health?: string }): ArgoApplication {
  return {
    metadata: { name: 'catalog', namespace: 'argocd' },
    status: {
      sync: { status: over.sync ?? 'Synced', revision: over.revision ?? OURS },
      health: { status: over.health ?? 'Healthy', message: over.health === 'Degraded' ? 'Deployment catalog-v2 exceeded its progress deadline' : undefined },
      reconciledAt: over.reconciledAt ?? '2026-01-01T00:00:10Z',
      operationState: { phase: over.phase ?? 'Succeeded', finishedAt: over.finishedAt ?? '2026-01-01T00:00:05Z', syncResult: { revision: over.opRevision ?? over.revision ?? OURS }, message: 'sync message' },
    },
  };
}

describe('Argo CD Application', () => {
  it('applied: synced to our commit, the operation that applied it succeeded, reconciled after it, Healthy', () => {
    expect(argoObservation(argoApp({}), contains)).toEqual({ kind: 'applied', revision: OURS });
  });

  it('a later head that contains ours counts (the controller skipped our commit): ancestry, not equality', () => {
    expect(argoObservation(argoApp({ revision: LATER }), contains)).toEqual({ kind: 'applied', revision: LATER });
  });

  it.each([
    ['still at the revision before ours', { revision: BEFORE }, /Synced at c+, which does not contain our commit yet/],
    ['OutOfSync', { sync: 'OutOfSync' }, /is OutOfSync/],
    ['the sync operation still runs', { phase: 'Running' }, /no finished sync operation .* \(Running\)/],
    ['the last operation applied an older revision', { opRevision: BEFORE }, /no finished sync operation/],
    ['reconciled before the operation finished (health is stale)', { reconciledAt: '2026-01-01T00:00:01Z' }, /reconciled at .* before the sync finished/],
    ['Progressing', { health: 'Progressing' }, /is Progressing, not yet Healthy/],
  ])('waiting: %s', (_what, over, why) => {
    const observation = argoObservation(argoApp(over), contains);
    expect(observation.kind).toBe('waiting');
    expect((observation as { why: string }).why).toMatch(why);
  });

  it('Degraded after applying our commit fails at once; Degraded on stale health does not', () => {
    expect(argoObservation(argoApp({ health: 'Degraded' }), contains)).toEqual({
      kind: 'failed',
      why: 'Application argocd/catalog is Degraded after applying our commit: Deployment catalog-v2 exceeded its progress deadline',
    });
    expect(argoObservation(argoApp({ health: 'Degraded', revision: BEFORE }), contains).kind).toBe('waiting');
    expect(argoObservation(argoApp({ health: 'Degraded', reconciledAt: '2026-01-01T00:00:01Z' }), contains).kind).toBe('waiting');
  });

  it('a failed sync of a revision containing ours fails at once', () => {
    expect(argoObservation(argoApp({ phase: 'Failed' }), contains)).toEqual({ kind: 'failed', why: `Application argocd/catalog: the sync of ${OURS} ended Failed: sync message` });
    expect(argoObservation(argoApp({ phase: 'Failed', opRevision: BEFORE, revision: BEFORE }), contains).kind).toBe('waiting');
  });

  it('multi-source applications: any source revision containing ours', () => {
    const app = argoApp({});
    app.status!.sync = { status: 'Synced', revisions: [BEFORE, LATER] };
    app.status!.operationState!.syncResult = { revisions: [BEFORE, LATER] };
    expect(argoRevisions(app)).toEqual([BEFORE, LATER]);
    expect(argoObservation(app, contains)).toEqual({ kind: 'applied', revision: LATER });
  });
});

function kustomization(over: { applied?: string; attempted?: string; ready?: string; reason?: string; generation?: number; observed?: number }): FluxKustomization {
  return {
    metadata: { name: 'catalog', namespace: 'flux-system', generation: over.generation ?? 1 },
    status: {
      lastAppliedRevision: over.applied ?? `main@sha1:${OURS}`,
      lastAttemptedRevision: over.attempted ?? over.applied ?? `main@sha1:${OURS}`,
      observedGeneration: over.observed ?? 1,
      conditions: [{ type: 'Ready', status: over.ready ?? 'True', reason: over.reason ?? 'ReconciliationSucceeded', message: 'Applied revision', observedGeneration: over.observed ?? 1 }],
    },
  };
}

describe('Flux Kustomization', () => {
  it('revisions in both formats', () => {
    expect(fluxRevisionSha(`main@sha1:${OURS}`)).toBe(OURS);
    expect(fluxRevisionSha(`main/${OURS}`)).toBe(OURS);
    expect(fluxRevisionSha(`refs/heads/release/v2@sha1:${LATER}`)).toBe(LATER);
    expect(fluxRevisionSha('main@sha1:nothex')).toBeUndefined();
    expect(fluxRevisionSha(undefined)).toBeUndefined();
  });

  it('applied: last applied revision contains ours and Ready is True for the current generation', () => {
    expect(fluxObservation(kustomization({}), contains)).toEqual({ kind: 'applied', revision: OURS });
    expect(fluxObservation(kustomization({ applied: `main/${LATER}` }), contains)).toEqual({ kind: 'applied', revision: LATER });
  });

  it('waiting: an older revision, Ready not True, or Ready for an older generation', () => {
    expect(fluxObservation(kustomization({ applied: `main@sha1:${BEFORE}` }), contains)).toEqual({ kind: 'waiting', why: `Kustomization flux-system/catalog last applied main@sha1:${BEFORE}, which does not contain our commit yet` });
    expect(fluxObservation(kustomization({ ready: 'Unknown', reason: 'Progressing' }), contains).kind).toBe('waiting');
    expect(fluxObservation(kustomization({ generation: 2, observed: 1 }), contains).kind).toBe('waiting');
  });

  it('a failed attempt at a revision containing ours fails at once; a failure of an older one does not', () => {
    expect(fluxObservation(kustomization({ applied: `main@sha1:${BEFORE}`, attempted: `main@sha1:${OURS}`, ready: 'False', reason: 'HealthCheckFailed' }), contains)).toEqual({
      kind: 'failed',
      why: `Kustomization flux-system/catalog: HealthCheckFailed at main@sha1:${OURS}: Applied revision`,
    });
    expect(fluxObservation(kustomization({ applied: `main@sha1:${BEFORE}`, attempted: `main@sha1:${BEFORE}`, ready: 'False', reason: 'HealthCheckFailed' }), contains).kind).toBe('waiting');
  });
});

describe('live objects (any GitOps tool)', () => {
  const committed = [
    { kind: 'VirtualService', namespace: 'shop', name: 'catalog', object: { metadata: { annotations: { 'istio-canary.dev/catalog': '{"stage":2}' } }, spec: { hosts: ['catalog'], http: [{ route: [] }] } } },
    { kind: 'DestinationRule', namespace: 'shop', name: 'catalog-canary' },
  ];
  it('applied when every object carries the committed annotation and spec, and deleted ones are gone', () => {
    const live = { metadata: { annotations: { 'istio-canary.dev/catalog': '{"stage":2}', other: 'x' } }, spec: { http: [{ route: [] }], hosts: ['catalog'] } };
    expect(liveObservation(committed, (c) => (c.kind === 'VirtualService' ? live : undefined))).toEqual({ kind: 'applied', revision: '' });
  });
  it('waiting while the stage annotation, the spec or a deletion is not there yet', () => {
    const stale = { metadata: { annotations: { 'istio-canary.dev/catalog': '{"stage":1}' } }, spec: committed[0]!.object!.spec };
    expect(liveObservation(committed, (c) => (c.kind === 'VirtualService' ? stale : undefined))).toEqual({ kind: 'waiting', why: 'VirtualService shop/catalog does not carry the committed istio-canary.dev/catalog yet' });
    const fresh = { ...stale, metadata: committed[0]!.object!.metadata, spec: { hosts: ['catalog'], http: [] } };
    expect(liveObservation(committed, () => fresh).kind).toBe('waiting');
    expect(liveObservation(committed, (c) => (c.kind === 'VirtualService' ? { ...fresh, spec: committed[0]!.object!.spec } : {})).kind).toBe('waiting');
  });
});

describe('waitForSync', () => {
  const sequence = (...observations: SyncObservation[]) => {
    let i = 0;
    return async () => observations[Math.min(i++, observations.length - 1)]!;
  };

  it('polls until applied and says each new reason once', async () => {
    const clock = new FakeClock({ auto: true });
    const reasons: string[] = [];
    const start = clock.now();
    const applied = await waitForSync({
      observe: sequence({ kind: 'waiting', why: 'a' }, { kind: 'waiting', why: 'a' }, { kind: 'waiting', why: 'b' }, { kind: 'applied', revision: OURS }),
      clock,
      pollMs: 1_000,
      onWaiting: (why) => reasons.push(why),
    });
    expect(applied).toEqual({ at: start + 3_000, revision: OURS, polls: 4 });
    expect(reasons).toEqual(['a', 'b']);
  });

  it('a failure reported by the controller ends the wait at once', async () => {
    const clock = new FakeClock({ auto: true });
    await expect(waitForSync({ observe: sequence({ kind: 'waiting', why: 'a' }, { kind: 'failed', why: 'Degraded' }), clock })).rejects.toThrow(new SyncFailedError('Degraded'));
  });

  it('syncTimeout (default 10 minutes) ends it with the last reason', async () => {
    const clock = new FakeClock({ auto: true });
    const start = clock.now();
    await expect(waitForSync({ observe: sequence({ kind: 'waiting', why: 'Application argocd/catalog is OutOfSync' }), clock })).rejects.toThrow(
      new SyncTimeoutError('the commit was not in effect after 10m (syncTimeout): Application argocd/catalog is OutOfSync'),
    );
    expect(clock.now() - start).toBe(600_000);
  });

  it('a failed read is retried; a wrong name is not', async () => {
    const clock = new FakeClock({ auto: true });
    let n = 0;
    const flaky = async (): Promise<SyncObservation> => {
      if (n++ === 0) throw new Error('connection reset');
      return { kind: 'applied', revision: OURS };
    };
    expect((await waitForSync({ observe: flaky, clock })).polls).toBe(2);
    const missing = async (): Promise<SyncObservation> => {
      throw new InputError({ path: 'spec.commit.argocd', message: 'no Application argocd/nope' });
    };
    await expect(waitForSync({ observe: missing, clock })).rejects.toThrow(InputError);
  });

  it('a signal stops the wait (SIGTERM mid-wait: the caller rolls back)', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const waiting = waitForSync({ observe: sequence({ kind: 'waiting', why: 'a' }), clock, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    controller.abort(new Error('SIGTERM'));
    await expect(waiting).rejects.toThrow('SIGTERM');
  });

  it('fixed syncWait sleeps exactly that long', async () => {
    const clock = new FakeClock({ auto: true });
    const start = clock.now();
    expect((await fixedSyncWait(clock, 45_000)).at).toBe(start + 45_000);
  });
});
