// The header rule must not add what `istioctl analyze` reports as unreachable (IST0130) or
// ineffective (IST0131) matches. A block of the rule that an earlier block already matches in full
// (the owned route's duplicate blocks, or an earlier route's) never matches in Envoy either, so it is
// left out; any other finding the rule would add is refused with one clear error instead.
import { InputError } from '../errors.ts';
import { objectProblem } from './object-ref.ts';
import { semanticallyCovers, UNREACHABLE_AFTER_CATCH_ALL, type UnreachableFinding, unreachableFindings } from './reachability.ts';
import type { HttpRoute, VirtualService } from './types.ts';

type Block = Record<string, unknown>;

/** Where things are, for messages: the live object and, per baseline route, its index in it. */
export interface RuleContext {
  live: VirtualService;
  /** Index in the live object of each baseline route. */
  liveIndexOf: number[];
}

/** A header rule laid onto the baseline: its index in the routes with the rules, the owned route's live
 * index, and the owned route's block each of its blocks was made from. */
export interface InsertedRule {
  at: number;
  liveIndex: number;
  sources: number[];
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

/** InputError when `withRules` (the baseline routes with the header rules inserted) has an unreachable-match finding `baseline` does not. */
export function checkNoNewFindings(baseline: HttpRoute[], withRules: HttpRoute[], inserted: InsertedRule[], ctx: RuleContext): void {
  const ruleAt = new Map(inserted.map((r) => [r.at, r]));
  // Index in `withRules` → its baseline index, or the rule it is.
  const baseIndexOf: Array<number | undefined> = [];
  let b = 0;
  withRules.forEach((_, i) => {
    baseIndexOf.push(ruleAt.has(i) ? undefined : b++);
  });
  // Each rule sits right before its owned route: it is keyed as that route's rule.
  const toBaseline = (i: number | undefined) => (i === undefined ? '' : ruleAt.has(i) ? `rule-${baseIndexOf[i + 1]}` : String(baseIndexOf[i]));
  const key = (f: UnreachableFinding, map: (i: number | undefined) => string) =>
    `${f.code}|${map(f.route)}|${f.match ?? ''}|${map(f.earlierRoute)}|${f.earlierMatch ?? ''}|${f.reason}`;
  const before = baselineFindings(baseline);
  const known = new Set(before.map((f) => key(f, (i) => (i === undefined ? '' : String(i)))));
  // A route without match before an owned route makes that route unreachable already; its rule inherits that.
  const unreachableOwned = new Set(before.filter((f) => f.code === 'IST0130').map((f) => f.route));
  const inherited = (f: UnreachableFinding) => ruleAt.has(f.route) && unreachableOwned.has(baseIndexOf[f.route + 1]!) && f.reason === UNREACHABLE_AFTER_CATCH_ALL;
  const added = unreachableFindings(withRules).find((f) => !known.has(key(f, toBaseline)) && !inherited(f));
  if (added === undefined) return;
  const where = (i: number, m?: number) => {
    const rule = ruleAt.get(i);
    if (rule) return `the header rule's block made from spec.http[${rule.liveIndex}].match[${rule.sources[m ?? 0] ?? 0}]`;
    return `spec.http[${ctx.liveIndexOf[baseIndexOf[i]!]}]${m === undefined ? '' : `.match[${m}]`}`;
  };
  const cause = added.earlierRoute === undefined ? '' : ` because of ${where(added.earlierRoute, added.earlierMatch)}`;
  const owner = ruleAt.get(added.route) ?? inserted.find((r) => r.at > added.route) ?? inserted[0]!;
  throw new InputError(objectProblem(ctx.live, `spec.http[${owner.liveIndex}].match`,
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
