// The plan as files and text: manifests without server-populated metadata (so they can be
// committed or applied anywhere), plan.json, and each stage's unified diff against the one before.
import { randomUUID } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { detectedText } from './detect.ts';
import { refKey, refOf } from './objects.ts';
import { safeYaml } from '../yaml/safe-yaml.ts';
import { isChange } from './operations.ts';
import { stageObjects, type ObjectOperation, type Plan, type PlannedStage, type RoutingObject } from './types.ts';

/** Fields the API server fills in; meaningless (or harmful, resourceVersion) in a manifest file. */
const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'] as const;

export function manifestObject<T extends RoutingObject>(obj: T): T {
  const { status: _status, ...rest } = obj as RoutingObject;
  const metadata: Record<string, unknown> = { ...rest.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  return { ...rest, metadata } as unknown as T;
}

export function manifestYaml(obj: RoutingObject | undefined): string {
  return obj === undefined ? '' : safeYaml(manifestObject(obj));
}

/**
 * manifestYaml with the items of the object's longest list in `spec` (the routes: `http` of a
 * VirtualService, `rules` of an HTTPRoute) rendered one by one and remembered by content. A plan's
 * stages share all routes but one or two, so rendering every stage costs about one rendering of the
 * routes instead of one per stage (a 10,000-route VirtualService takes seconds to stringify).
 * The text is the same as manifestYaml's: an item of `spec.<list>` is indented by four spaces.
 */
export function createManifestRenderer(): (obj: RoutingObject | undefined) => string {
  const routes = new Map<string, string>();
  const routeYaml = (route: unknown): string => {
    const key = JSON.stringify(route);
    let text = routes.get(key);
    if (text === undefined) {
      text = safeYaml([route]).replace(/^(?=.)/gm, '    ');
      routes.set(key, text);
    }
    return text;
  };
  return (obj) => {
    const list = obj && longestList(obj.spec);
    if (obj === undefined || !list) return manifestYaml(obj);
    const placeholder = `__list_${randomUUID()}__`;
    const shell = manifestYaml({ ...obj, spec: { ...(obj.spec as object), [list.key]: placeholder } });
    const [before, after] = shell.split(`  ${list.key}: ${placeholder}\n`);
    if (after === undefined) return manifestYaml(obj); // not where it was expected: render it whole
    return `${before}  ${list.key}:\n${list.items.map(routeYaml).join('')}${after}`;
  };
}

/** The longest non-empty list directly under `spec` whose key is a plain YAML key, if any. */
function longestList(spec: unknown): { key: string; items: unknown[] } | undefined {
  if (typeof spec !== 'object' || spec === null) return undefined;
  let best: { key: string; items: unknown[] } | undefined;
  for (const [key, value] of Object.entries(spec)) {
    if (Array.isArray(value) && value.length > (best?.items.length ?? 0) && /^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) best = { key, items: value };
  }
  return best;
}

export interface RenderedFile {
  /** Relative to the output directory, with `/` separators. */
  path: string;
  content: string;
}

/** `NN-<stage>/<kind>.yaml` for each object of the stage (`<kind>-<name>.yaml` when a kind appears twice),
 * `promoted/`, `rollback/`, `plan.json`. */
export function planFiles(plan: Plan): RenderedFile[] {
  const render = createManifestRenderer();
  const dirs = [...plan.stages, plan.promoted, plan.rollback].flatMap((s) => {
    const names = fileNames(s.operations);
    return s.operations.flatMap((op) => (op.action === 'apply' ? [{ path: `${s.id}/${names(op)}`, content: render(op.object) }] : []));
  });
  return [...dirs, { path: 'plan.json', content: `${JSON.stringify(planJson(plan), null, 2)}\n` }];
}

function fileNames(operations: ObjectOperation[]): (op: ObjectOperation) => string {
  const count = (kind: string) => operations.filter((o) => o.ref.kind === kind).length;
  return (op) => `${op.ref.kind.toLowerCase()}${count(op.ref.kind) > 1 ? `-${op.ref.name}` : ''}.yaml`;
}

function stageJson(s: PlannedStage) {
  return { ...s, operations: s.operations.map((op) => (op.action === 'apply' ? { ...op, object: manifestObject(op.object) } : op)) };
}

export function planJson(plan: Plan) {
  return {
    stages: plan.stages.map(stageJson),
    promoted: stageJson(plan.promoted),
    rollback: stageJson(plan.rollback),
    baseline: plan.baseline.map(manifestObject),
    stateObject: plan.stateObject,
    ...(plan.detected !== undefined ? { detected: plan.detected } : {}),
    ...(plan.detectedRoutes ? { detectedRoutes: plan.detectedRoutes } : {}),
    ...(plan.routes ? { routes: plan.routes } : {}),
    ...(plan.notes ? { notes: plan.notes } : {}),
    ...(plan.unchecked ? { unchecked: plan.unchecked } : {}),
  };
}

/**
 * Human-readable plan: for each stage its summary, its writes and the diff from the previous
 * stage (the first stage and the rollback against the live objects, promotion against the last stage).
 */
export function planText(plan: Plan, live: readonly RoutingObject[]): string {
  const blocks: string[] = [];
  if (plan.detected !== undefined) blocks.push(`The ${plan.stateObject.kind} already carries this release: ${detectedText(plan)}.\n`);
  if (plan.routes) blocks.push(routesText(plan));
  for (const note of plan.notes ?? []) blocks.push(`Caveat: ${note}.\n`);
  for (const note of plan.unchecked ?? []) blocks.push(`Not checked: ${note}.\n`);
  // Each object is rendered once, and each route once across all of them.
  const render = createManifestRenderer();
  const texts = new Map<object, string>();
  const yaml = (obj: RoutingObject | undefined) => {
    if (obj === undefined) return '';
    const known = texts.get(obj);
    if (known !== undefined) return known;
    const text = render(obj);
    texts.set(obj, text);
    return text;
  };
  let previous: readonly RoutingObject[] = live;
  for (const s of plan.stages) {
    blocks.push(stageText(s, previous, yaml));
    previous = stageObjects(s);
  }
  blocks.push(stageText(plan.promoted, previous, yaml));
  blocks.push(stageText(plan.rollback, live, yaml, 'the live objects'));
  return blocks.join('\n');
}

/** Which live routes the release owns, and the routes to the stable version no request reaches. */
function routesText(plan: Plan): string {
  const routes = plan.routes!;
  const list = (indices: number[]) => indices.map((i) => `#${i}`).join(', ');
  const shadowed = routes.shadowed.length
    ? `; not owned, because an earlier route already catches all their requests: ${list(routes.shadowed)}`
    : '';
  return `Owned routes of the ${plan.stateObject.kind} (by position, from 0): ${list(routes.owned)}${shadowed}.\n`;
}


type Yaml = (obj: RoutingObject | undefined) => string;

/** `DestinationRule (then settle), VirtualService`: each change in order, "then settle" where a later one waits for it. */
export function writesText(s: PlannedStage): string {
  const changes = s.operations.filter(isChange);
  const waitedFor = (op: ObjectOperation) => changes.some((later) => later.after.some((r) => refKey(r) === refKey(op.ref)));
  return changes.map((op) => `${op.action === 'delete' ? 'delete ' : ''}${op.ref.kind}${waitedFor(op) ? ' (then settle)' : ''}`).join(', ');
}

function stageText(s: PlannedStage, previous: readonly RoutingObject[], yaml: Yaml, against = 'the previous stage'): string {
  const writes = writesText(s) || 'nothing (no change)';
  const before = new Map(previous.map((o) => [refKey(refOf(o, s.operations[0]?.ref.namespace)), o]));
  const names = fileNames(s.operations);
  const diffs = s.operations.map((op) => objectDiff(names(op), before.get(refKey(op.ref)), op.action === 'apply' ? op.object : undefined, yaml)).filter((d) => d !== '');
  const body = diffs.length ? diffs.join('') : `(no change from ${against})\n`;
  const notes = (s.notes ?? []).map((n) => `cohort: ${n}.\n`).join('');
  return `== ${s.id}: ${s.summary}\nwrites: ${writes}\n${notes}${body}`;
}

function objectDiff(name: string, before: RoutingObject | undefined, after: RoutingObject | undefined, yaml: Yaml): string {
  const a = yaml(before);
  const b = yaml(after);
  if (a === b) return '';
  const patch = createTwoFilesPatch(before ? `a/${name}` : '/dev/null', after ? `b/${name}` : '/dev/null', a, b, undefined, undefined, { context: 3 });
  // Drop jsdiff's "Index:" / "====" preamble: the ---/+++ lines already name the files.
  return patch.slice(patch.indexOf('--- '));
}
