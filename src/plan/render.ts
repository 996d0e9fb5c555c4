// The plan as files and text: manifests without server-populated metadata (so they can be
// committed or applied anywhere), plan.json, and each stage's unified diff against the one before.
import { randomUUID } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import { safeYaml } from '../yaml/safe-yaml.ts';
import type { Plan, PlannedStage } from './types.ts';

/** Fields the API server fills in; meaningless (or harmful, resourceVersion) in a manifest file. */
const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'] as const;

export function manifestObject<T extends VirtualService | DestinationRule>(obj: T): T;
export function manifestObject<T extends VirtualService | DestinationRule>(obj: T | undefined): T | undefined;
export function manifestObject<T extends VirtualService | DestinationRule>(obj: T | undefined): T | undefined {
  if (obj === undefined) return undefined;
  const { status: _status, ...rest } = obj as VirtualService | DestinationRule;
  const metadata: Record<string, unknown> = { ...rest.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  return { ...rest, metadata } as unknown as T;
}

export function manifestYaml(obj: VirtualService | DestinationRule | undefined): string {
  return obj === undefined ? '' : safeYaml(manifestObject(obj));
}

/**
 * manifestYaml with the http routes of a VirtualService rendered one by one and remembered by content.
 * A plan's stages share all routes but one or two, so rendering every stage costs about one rendering
 * of the routes instead of one per stage (a 10,000-route VirtualService takes seconds to stringify).
 * The text is the same as manifestYaml's: a route is an item of `spec.http`, indented by four spaces.
 */
export function createManifestRenderer(): (obj: VirtualService | DestinationRule | undefined) => string {
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
    const http = obj?.kind === 'VirtualService' ? obj.spec.http : undefined;
    if (obj === undefined || !http || http.length === 0) return manifestYaml(obj);
    const placeholder = `__http_${randomUUID()}__`;
    const shell = manifestYaml({ ...obj, spec: { ...obj.spec, http: placeholder as unknown as [] } } as VirtualService);
    const [before, after] = shell.split(`  http: ${placeholder}\n`);
    if (after === undefined) return manifestYaml(obj); // not where it was expected: render it whole
    return `${before}  http:\n${http.map(routeYaml).join('')}${after}`;
  };
}

export interface RenderedFile {
  /** Relative to the output directory, with `/` separators. */
  path: string;
  content: string;
}

/** `NN-<stage>/{destinationrule,virtualservice}.yaml`, `promoted/`, `rollback/`, `plan.json`. */
export function planFiles(plan: Plan): RenderedFile[] {
  const render = createManifestRenderer();
  const dirs = [...plan.stages, plan.promoted, plan.rollback].flatMap((s) => [
    { path: `${s.id}/destinationrule.yaml`, content: render(s.destinationRule) },
    { path: `${s.id}/virtualservice.yaml`, content: render(s.virtualService) },
  ]);
  return [...dirs, { path: 'plan.json', content: `${JSON.stringify(planJson(plan), null, 2)}\n` }];
}

function stageJson(s: PlannedStage) {
  return { ...s, destinationRule: manifestObject(s.destinationRule), virtualService: manifestObject(s.virtualService) };
}

export function planJson(plan: Plan) {
  return {
    stages: plan.stages.map(stageJson),
    promoted: stageJson(plan.promoted),
    rollback: stageJson(plan.rollback),
    baseline: { virtualService: manifestObject(plan.baseline.virtualService), destinationRule: manifestObject(plan.baseline.destinationRule) },
    ...(plan.detected !== undefined ? { detected: plan.detected } : {}),
    ...(plan.routes ? { routes: plan.routes } : {}),
  };
}

export interface LiveObjects {
  virtualService: VirtualService;
  destinationRule?: DestinationRule;
}

/**
 * Human-readable plan: for each stage its summary, its writes and the diff from the previous
 * stage (the first stage and the rollback against the live objects, promotion against the last stage).
 */
export function planText(plan: Plan, live: LiveObjects): string {
  const blocks: string[] = [];
  if (plan.detected !== undefined) blocks.push(`The VirtualService already carries this release: ${detectedText(plan)}.\n`);
  if (plan.routes) blocks.push(routesText(plan.routes));
  // Each object is rendered once, and each route once across all of them.
  const render = createManifestRenderer();
  const texts = new Map<object, string>();
  const yaml = (obj: VirtualService | DestinationRule | undefined) => {
    if (obj === undefined) return '';
    const known = texts.get(obj);
    if (known !== undefined) return known;
    const text = render(obj);
    texts.set(obj, text);
    return text;
  };
  let previous: LiveObjects = live;
  for (const s of plan.stages) {
    blocks.push(stageText(s, previous, yaml));
    previous = s;
  }
  blocks.push(stageText(plan.promoted, previous, yaml));
  blocks.push(stageText(plan.rollback, live, yaml, 'the live objects'));
  return blocks.join('\n');
}

/** Which live routes the release owns, and the routes to the stable version no request reaches. */
function routesText(routes: NonNullable<Plan['routes']>): string {
  const list = (indices: number[]) => indices.map((i) => `spec.http[${i}]`).join(', ');
  const shadowed = routes.shadowed.length
    ? `; not owned, because an earlier route already catches all their requests: ${list(routes.shadowed)}`
    : '';
  return `Owned routes: ${list(routes.owned)}${shadowed}.\n`;
}

function detectedText(plan: Plan): string {
  const d = plan.detected;
  return typeof d === 'number' ? `stage ${plan.stages[d]!.id}` : String(d);
}

type Yaml = (obj: VirtualService | DestinationRule | undefined) => string;

function stageText(s: PlannedStage, previous: LiveObjects, yaml: Yaml, against = 'the previous stage'): string {
  const writes = s.writes.length ? s.writes.map((w) => `${w.kind}${w.settleAfter ? ' (then settle)' : ''}`).join(', ') : 'nothing (no change)';
  const diffs = [
    objectDiff('destinationrule.yaml', previous.destinationRule, s.destinationRule, yaml),
    objectDiff('virtualservice.yaml', previous.virtualService, s.virtualService, yaml),
  ].filter((d) => d !== '');
  const body = diffs.length ? diffs.join('') : `(no change from ${against})\n`;
  return `== ${s.id}: ${s.summary}\nwrites: ${writes}\n${body}`;
}

function objectDiff(name: string, before: VirtualService | DestinationRule | undefined, after: VirtualService | DestinationRule | undefined, yaml: Yaml): string {
  const a = yaml(before);
  const b = yaml(after);
  if (a === b) return '';
  const patch = createTwoFilesPatch(before ? `a/${name}` : '/dev/null', `b/${name}`, a, b, undefined, undefined, { context: 3 });
  // Drop jsdiff's "Index:" / "====" preamble: the ---/+++ lines already name the files.
  return patch.slice(patch.indexOf('--- '));
}
