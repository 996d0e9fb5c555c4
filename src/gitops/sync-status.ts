// When is our commit in effect? Pure readings of what a GitOps controller reports. Controllers apply
// the branch head and may skip commits, so "applied" means the applied revision contains our commit
// (ancestry, resolved by the caller with git), never that it equals it.
import { canonicalJson } from '../json/canonical.ts';

export type SyncObservation =
  | { kind: 'applied'; revision: string }
  | { kind: 'waiting'; why: string }
  /** The controller reports a failure of a revision containing our commit: no use waiting. */
  | { kind: 'failed'; why: string };

/** Whether a revision the controller names contains our commit (answered by the caller from git). */
export type Contains = (revision: string) => boolean;

// ---- Argo CD: Application (argoproj.io/v1alpha1) ----

export interface ArgoApplication {
  metadata?: { name?: string; namespace?: string };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    reconciledAt?: string;
    operationState?: {
      phase?: string;
      message?: string;
      finishedAt?: string;
      syncResult?: { revision?: string; revisions?: string[] };
    };
  };
}

/** Every revision the Application's status names (single- and multi-source), for the caller to resolve. */
export function argoRevisions(app: ArgoApplication): string[] {
  const s = app.status;
  const all = [s?.sync?.revision, ...(s?.sync?.revisions ?? []), s?.operationState?.syncResult?.revision, ...(s?.operationState?.syncResult?.revisions ?? [])];
  return [...new Set(all.filter((r): r is string => typeof r === 'string' && r !== ''))];
}

/**
 * Applied when the Application is Synced to a revision containing our commit, the sync operation
 * that applied such a revision Succeeded, the app was reconciled after that operation finished (so
 * its health is about what was applied) and it is Healthy. Degraded after such a sync, or a failed
 * sync of such a revision, fails at once.
 */
export function argoObservation(app: ArgoApplication, contains: Contains): SyncObservation {
  const name = `Application ${app.metadata?.namespace ?? ''}/${app.metadata?.name ?? ''}`;
  const s = app.status;
  const op = s?.operationState;
  const opRevisions = [op?.syncResult?.revision, ...(op?.syncResult?.revisions ?? [])].filter((r): r is string => typeof r === 'string' && r !== '');
  const opHasOurs = opRevisions.some(contains);
  if (opHasOurs && (op?.phase === 'Failed' || op?.phase === 'Error')) {
    return { kind: 'failed', why: `${name}: the sync of ${opRevisions.join(', ')} ended ${op.phase}${op.message ? `: ${op.message}` : ''}` };
  }
  const syncRevisions = [s?.sync?.revision, ...(s?.sync?.revisions ?? [])].filter((r): r is string => typeof r === 'string' && r !== '');
  const synced = s?.sync?.status === 'Synced' && syncRevisions.some(contains);
  if (!synced) return { kind: 'waiting', why: `${name} is ${s?.sync?.status ?? 'not reporting a sync status'} at ${syncRevisions.join(', ') || 'no revision'}, which does not contain our commit yet` };
  if (!opHasOurs || op?.phase !== 'Succeeded') return { kind: 'waiting', why: `${name}: no finished sync operation of a revision containing our commit yet (${op?.phase ?? 'none'})` };
  const finished = Date.parse(op.finishedAt ?? '');
  const reconciled = Date.parse(s?.reconciledAt ?? '');
  if (!(reconciled >= finished)) return { kind: 'waiting', why: `${name}: reconciled at ${s?.reconciledAt ?? 'never'}, before the sync finished at ${op.finishedAt ?? '?'} (health not yet about it)` };
  const health = s?.health?.status;
  if (health === 'Degraded') return { kind: 'failed', why: `${name} is Degraded after applying our commit${s?.health?.message ? `: ${s.health.message}` : ''}` };
  if (health !== 'Healthy') return { kind: 'waiting', why: `${name} is ${health ?? 'of unknown health'}, not yet Healthy` };
  return { kind: 'applied', revision: syncRevisions.find(contains)! };
}

// ---- Flux: Kustomization (kustomize.toolkit.fluxcd.io/v1) ----

export interface FluxCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface FluxKustomization {
  metadata?: { name?: string; namespace?: string; generation?: number };
  status?: {
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    observedGeneration?: number;
    conditions?: FluxCondition[];
  };
}

/** The commit SHA of a Flux revision: `main@sha1:<sha>` (Flux 2.1+) or `main/<sha>` (older). */
export function fluxRevisionSha(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const match = /(?:@sha1:|@sha256:|\/)([0-9a-f]{40,64})$/.exec(revision) ?? /^([0-9a-f]{40,64})$/.exec(revision);
  return match?.[1];
}

/** Reasons of Ready=False that mean the attempted revision failed (not that it is still in progress). */
const FLUX_FAILURES = new Set(['ReconciliationFailed', 'HealthCheckFailed', 'BuildFailed', 'ArtifactFailed', 'PruneFailed']);

/** Applied when the last applied revision contains our commit and Ready is True for the current
 * generation; a failed attempt at a revision containing our commit fails at once. */
export function fluxObservation(ks: FluxKustomization, contains: Contains): SyncObservation {
  const name = `Kustomization ${ks.metadata?.namespace ?? ''}/${ks.metadata?.name ?? ''}`;
  const ready = ks.status?.conditions?.find((c) => c.type === 'Ready');
  const attempted = fluxRevisionSha(ks.status?.lastAttemptedRevision);
  if (ready?.status === 'False' && attempted !== undefined && contains(attempted) && FLUX_FAILURES.has(ready.reason ?? '')) {
    return { kind: 'failed', why: `${name}: ${ready.reason} at ${ks.status?.lastAttemptedRevision}${ready.message ? `: ${ready.message}` : ''}` };
  }
  const applied = fluxRevisionSha(ks.status?.lastAppliedRevision);
  if (applied === undefined || !contains(applied)) {
    return { kind: 'waiting', why: `${name} last applied ${ks.status?.lastAppliedRevision ?? 'nothing'}, which does not contain our commit yet` };
  }
  const generation = ks.metadata?.generation;
  const current = generation === undefined || (ready?.observedGeneration ?? ks.status?.observedGeneration ?? generation) >= generation;
  if (ready?.status !== 'True' || !current) return { kind: 'waiting', why: `${name} is not Ready yet (${ready?.reason ?? 'no Ready condition'})` };
  return { kind: 'applied', revision: applied };
}

// ---- Any GitOps tool: the live objects themselves ----

export interface CommittedObject {
  /** group/version to read the live object as (default networking.istio.io/v1). */
  apiVersion?: string;
  kind: string;
  namespace: string;
  name: string;
  /** The object as committed, or undefined when the commit deletes it. */
  object?: { metadata?: { annotations?: Record<string, string> }; spec?: unknown };
}

export interface LiveObject {
  metadata?: { annotations?: Record<string, string> };
  spec?: unknown;
}

/**
 * Applied when every live object is as committed: the same spec and the same value of every annotation
 * we committed (the state annotation names the stage), and deleted objects gone. `live` returns the
 * live object of a committed one, undefined when absent.
 */
export function liveObservation(committed: CommittedObject[], live: (c: CommittedObject) => LiveObject | undefined): SyncObservation {
  for (const c of committed) {
    const name = `${c.kind} ${c.namespace}/${c.name}`;
    const current = live(c);
    if (c.object === undefined) {
      if (current !== undefined) return { kind: 'waiting', why: `${name} still exists; the commit deletes it` };
      continue;
    }
    if (current === undefined) return { kind: 'waiting', why: `${name} does not exist yet` };
    for (const [key, value] of Object.entries(c.object.metadata?.annotations ?? {})) {
      if (current.metadata?.annotations?.[key] !== value) return { kind: 'waiting', why: `${name} does not carry the committed ${key} yet` };
    }
    if (canonicalJson(current.spec) !== canonicalJson(c.object.spec)) return { kind: 'waiting', why: `${name} does not have the committed spec yet` };
  }
  return { kind: 'applied', revision: '' };
}
