// The header rule must not add what `istioctl analyze` reports as unreachable (IST0130) or
// ineffective (IST0131) matches. A block of the rule that an earlier block already matches in full
// (the owned route's duplicate blocks, or an earlier route's) never matches in Envoy either, so it is
// left out; any other finding the rule would add is refused with one clear error instead.
import { InputError } from '../errors.ts';
import { objectProblem } from './object-ref.ts';
import { semanticallyCovers, UNREACHABLE_AFTER_CATCH_ALL, type UnreachableFinding, unreachableFindings } from './reachability.ts';
import type { HttpRoute, VirtualService } from './types.ts';

type Block = Record<string, unknown>;

/** Where things are, for messages: the live object and the owned route's index in it. */
export interface RuleContext {
  live: VirtualService;
  liveIndex: number;
}

/**
 * `rule` without the match blocks that an earlier block (of a route before it, or of itself)
 * already matches in full. `sources[j]` is the owned route's block each kept block was made from.
 */
export function withoutShadowedBlocks(rule: HttpRoute, before: HttpRoute[]): { rule: HttpRoute; sources: number[] } {
  const earlier = before.flatMap((r) => (r.match ?? []) as Block[]);
  const kept: Block[] = [];
  const sources: number[] = [];
  ((rule.match ?? []) as Block[]).forEach((block, j) => {
    if ([...earlier, ...kept].some((e) => semanticallyCovers(e, block))) return;
    kept.push(block);
    sources.push(j);
  });
  // Every block shadowed: the owned route is unreachable as well, and the rule stays as built (and as
  // unreachable) so the stages keep their shape; checkNoNewFindings still refuses what analyze would report.
  if (kept.length === 0) return { rule, sources: ((rule.match ?? []) as Block[]).map((_, j) => j) };
  return { rule: { ...rule, match: kept }, sources };
}

/** InputError when `withRule` (the baseline routes with the header rule at `at`) has an unreachable-match finding `baseline` does not. */
export function checkNoNewFindings(baseline: HttpRoute[], withRule: HttpRoute[], at: number, sources: number[], ctx: RuleContext): void {
  const toBaseline = (i: number | undefined) => (i === undefined ? '' : i === at ? 'rule' : String(i < at ? i : i - 1));
  const key = (f: UnreachableFinding, map: (i: number | undefined) => string) =>
    `${f.code}|${map(f.route)}|${f.match ?? ''}|${map(f.earlierRoute)}|${f.earlierMatch ?? ''}|${f.reason}`;
  const before = baselineFindings(baseline);
  const known = new Set(before.map((f) => key(f, (i) => (i === undefined ? '' : String(i)))));
  // A route without match before the owned route makes the owned route unreachable already; the rule inherits that.
  const ownedUnreachable = before.some((f) => f.code === 'IST0130' && f.route === at);
  const inherited = (f: UnreachableFinding) => ownedUnreachable && f.route === at && f.reason === UNREACHABLE_AFTER_CATCH_ALL;
  const added = unreachableFindings(withRule).find((f) => !known.has(key(f, toBaseline)) && !inherited(f));
  if (added === undefined) return;
  const liveLength = ctx.live.spec.http?.length ?? 0;
  const liveHasRule = liveLength === baseline.length + 1;
  const where = (i: number, m?: number) => {
    if (i === at) return `the header rule's block made from spec.http[${ctx.liveIndex}].match[${sources[m ?? 0] ?? 0}]`;
    const b = i < at ? i : i - 1;
    const live = liveHasRule && b >= at ? b + 1 : b;
    return `spec.http[${live}]${m === undefined ? '' : `.match[${m}]`}`;
  };
  const cause = added.earlierRoute === undefined ? '' : ` because of ${where(added.earlierRoute, added.earlierMatch)}`;
  throw new InputError(objectProblem(ctx.live, `spec.http[${ctx.liveIndex}].match`,
    `the dark-launch header rule would make istioctl analyze report ${added.code} (${added.reason}) for ${where(added.route, added.match)}${cause}, which the VirtualService does not have now; ` +
      'expected owned-route match blocks that stay distinct from every other route\'s once the dark-launch headers are added'));
}

/** Every stage of a plan lays its header rule onto the same baseline routes: their findings are computed once. */
const baselineCache = new WeakMap<HttpRoute[], UnreachableFinding[]>();

function baselineFindings(baseline: HttpRoute[]): UnreachableFinding[] {
  let found = baselineCache.get(baseline);
  if (found === undefined) {
    found = unreachableFindings(baseline);
    baselineCache.set(baseline, found);
  }
  return found;
}
