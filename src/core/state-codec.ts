// The rollout state as the annotation text: compact JSON, decoded with a shape check so a damaged
// or foreign annotation is one clear error instead of a crash half-way through a release.
import { InputError } from '../errors.ts';
import type { RoutingObject } from '../plan/objects.ts';
import type { Evaluation, RolloutState, StageRecord } from './state.ts';

/** Budget for our annotation; Kubernetes caps all annotations of an object at 256 KiB together. */
export const STATE_BUDGET_BYTES = 64 * 1024;
/** Evaluations kept per stage before older ones are counted instead of stored. */
export const EVALUATIONS_KEPT = 12;

const STATUSES = ['in-progress', 'paused', 'promoted', 'rolled-back'];
const RESULTS = ['in-progress', 'passed', 'failed', 'paused', 'promoted', 'rolled-back'];

export function encodeState(state: RolloutState): string {
  return JSON.stringify(compactState(state));
}

/**
 * Shrinks the history until it fits the budget: first keep per stage the first failed evaluation
 * and the latest ones — and in the open stage every failed one, because its failureLimit counts them
 * from this record and dropping one could pass a failing canary (they stay fewer than the limit) —
 * then drop the PromQL from evaluations other than the first failure and the last, then keep fewer.
 * Counts what was dropped so reports can say so.
 */
export function compactState(state: RolloutState, budget = STATE_BUDGET_BYTES): RolloutState {
  let kept = EVALUATIONS_KEPT;
  let stripQueries = false;
  for (;;) {
    const open = (record: StageRecord, i: number) => i === state.history.length - 1 && record.endedAt === undefined;
    const compacted = { ...state, history: state.history.map((record, i) => compactRecord(record, kept, stripQueries, open(record, i))) };
    if (Buffer.byteLength(JSON.stringify(compacted)) <= budget || kept === 1) return compacted;
    if (!stripQueries) stripQueries = true;
    else kept = Math.max(1, Math.floor(kept / 2));
  }
}

function isFailure(evaluation: Evaluation): boolean {
  return evaluation.decision === 'fail' || evaluation.verdicts.some((v) => v.status === 'fail');
}

function compactRecord(record: StageRecord, kept: number, stripQueries: boolean, open: boolean): StageRecord {
  const all = record.evaluations;
  const firstFailure = all.find(isFailure);
  const latest = new Set(firstFailure && !all.slice(-kept).includes(firstFailure) ? all.slice(-Math.max(1, kept - 1)) : all.slice(-kept));
  const keep = all.filter((e) => latest.has(e) || e === firstFailure || (open && isFailure(e)));
  const last = all.at(-1);
  const evaluations = stripQueries
    ? keep.map((e) => (e === firstFailure || e === last ? e : { ...e, verdicts: e.verdicts.map((v) => ({ ...v, queries: [] })) }))
    : keep;
  const omitted = (record.omittedEvaluations ?? 0) + all.length - keep.length;
  return omitted > 0 ? { ...record, evaluations, omittedEvaluations: omitted } : { ...record, evaluations };
}

/** Where the state is, for messages: the routing object that carries it and the annotation. */
export function stateLocation(vs: RoutingObject, key: string) {
  return { file: `${vs.kind} ${vs.metadata.namespace ?? ''}/${vs.metadata.name}`, path: `metadata.annotations["${key}"]` };
}

const ADVICE = 'run `istio-canary abort` to put all traffic back on stable and rewrite the state, or remove the annotation by hand';

/** The state stored on the routing object under `key`, or undefined when there is none. */
export function decodeState(vs: RoutingObject, key: string): RolloutState | undefined {
  const text = vs.metadata.annotations?.[key];
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError({ ...stateLocation(vs, key), message: `is not valid JSON (${(e as Error).message}); ${ADVICE}` });
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (typeof parsed === 'object' && parsed !== null && typeof schema === 'number' && schema !== 1) {
    const which = schema > 1 ? 'a newer' : 'an older';
    throw new InputError({ ...stateLocation(vs, key), message: `was written by ${which} istio-canary (state schema ${schema}); this version reads schema 1: use the version that started the rollout, or ${ADVICE}` });
  }
  const problem = shapeProblem(parsed);
  if (problem) throw new InputError({ ...stateLocation(vs, key), message: `is not an istio-canary state: ${problem}; ${ADVICE}` });
  return parsed as RolloutState;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown) => typeof v === 'string';
const isOptionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** The first way `value` differs from a RolloutState, in words, or undefined when it fits. */
export function shapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected a JSON object';
  const fields: Array<[string, (v: unknown) => boolean, string]> = [
    ['schema', (v) => v === 1, 'the number 1'],
    ['canary', isString, 'a string'],
    ['specHash', isString, 'a string'],
    ['canarySubset', isString, 'a string'],
    ['status', (v) => STATUSES.includes(v as string), `one of ${STATUSES.join(', ')}`],
    ['stageIndex', (v) => Number.isInteger(v) && (v as number) >= -1, 'an integer >= -1'],
    ['stageStartedAt', (v) => isString(v) && !Number.isNaN(Date.parse(v as string)), 'an ISO time'],
    ['reason', isOptionalString, 'a string'],
    ['runUrl', isOptionalString, 'a string'],
    ['history', Array.isArray, 'a list'],
  ];
  for (const [name, ok, expected] of fields) if (!ok(value[name])) return `field ${name} should be ${expected}`;
  const holder = value.holder;
  if (holder !== undefined && !(isObject(holder) && isString(holder.id) && isString(holder.renewedAt) && isOptionalString(holder.runUrl))) {
    return 'field holder should be {id, renewedAt, runUrl?}';
  }
  const routing = value.routing;
  const routeRef = (v: unknown) => isOptionalString(v) || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
  if (routing !== undefined && !(isObject(routing) && routeRef(routing.route))) return 'field routing should be {route?}';
  const history = value.history as unknown[];
  for (const [i, record] of history.entries()) {
    const problem = recordProblem(record);
    if (problem) return `history[${i}] ${problem}`;
  }
  return undefined;
}

function recordProblem(record: unknown): string | undefined {
  if (!isObject(record)) return 'should be an object';
  if (!isString(record.stage) || !isString(record.startedAt) || !isOptionalString(record.endedAt)) return 'should have stage and startedAt strings';
  if (!RESULTS.includes(record.result as string)) return `result should be one of ${RESULTS.join(', ')}`;
  if (typeof record.canaryWeight !== 'number' || typeof record.mirrorPercentage !== 'number' || typeof record.headerRule !== 'boolean') {
    return 'should have canaryWeight, mirrorPercentage and headerRule';
  }
  if (!Array.isArray(record.evaluations) || !record.evaluations.every((e) => isObject(e) && isString(e.at) && Array.isArray(e.verdicts))) {
    return 'evaluations should be a list of {at, decision, verdicts}';
  }
  return undefined;
}
