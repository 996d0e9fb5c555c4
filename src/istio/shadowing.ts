// Istio takes the first http route whose match fits a request. The header rule goes right before the
// owned route, so an earlier route that catches every request one of its match blocks would catch
// leaves that part of the cohort on whatever the earlier route does: the dark launch would get no
// traffic while the plan said the cohort goes to the canary. Refused, naming the earlier route.
// The test is conservative (equal conditions, header presence, prefixes): it never refuses a rule
// that can get traffic, and may miss an overlap it cannot prove.
import { InputError } from '../errors.ts';
import { jsonEqual } from './clone.ts';
import { objectProblem } from './object-ref.ts';
import type { HttpRoute, VirtualService } from './types.ts';

type Block = Record<string, unknown>;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const STRING_MATCHED = ['uri', 'scheme', 'method', 'authority'];
const KEYED = ['headers', 'queryParams'];

/** Every request matching `specific` also matches `general` (both Istio StringMatch values). */
function stringMatchCovers(general: unknown, specific: unknown): boolean {
  if (specific === undefined || !isRecord(general)) return false;
  if (Object.keys(general).length === 0) return true; // presence: any value
  if (jsonEqual(general, specific)) return true;
  const specificText = isRecord(specific) ? (specific.exact ?? specific.prefix) : undefined;
  return typeof general.prefix === 'string' && typeof specificText === 'string' && specificText.startsWith(general.prefix);
}

/** Every request matching block `rule` also matches block `earlier`. */
function blockCovers(earlier: Block, rule: Block): boolean {
  // A case-insensitive rule catches URIs a case-sensitive earlier route does not.
  if (earlier.uri !== undefined && rule.ignoreUriCase === true && earlier.ignoreUriCase !== true) return false;
  return Object.entries(earlier).every(([key, condition]) => {
    if (key === 'name' || (key === 'ignoreUriCase' && condition === true)) return true;
    if (STRING_MATCHED.includes(key)) return stringMatchCovers(condition, rule[key]);
    if (KEYED.includes(key)) {
      const mine = isRecord(rule[key]) ? (rule[key] as Record<string, unknown>) : {};
      return isRecord(condition) && Object.entries(condition).every(([name, match]) => stringMatchCovers(match, mine[name]));
    }
    return jsonEqual(condition, rule[key]);
  });
}

/** Every request matching block `rule` is caught by route `earlier` (some block of it, or no match at all). */
export function routeCovers(earlier: HttpRoute, rule: Block): boolean {
  const blocks = earlier.match ?? [];
  return blocks.length === 0 || blocks.some((b) => blockCovers(b, rule));
}

/**
 * InputError when a route of `vs` before the owned route (`ownedIndex`; `skip`: our own header rules)
 * catches every request of a match block of the header rule `rule`.
 */
export function checkNotShadowed(vs: VirtualService, ownedIndex: number, skip: readonly number[], rule: HttpRoute): void {
  const http = vs.spec.http ?? [];
  (rule.match ?? [{}]).forEach((block, j) => {
    const at = http.slice(0, ownedIndex).findIndex((route, i) => !skip.includes(i) && routeCovers(route, block));
    if (at < 0) return;
    const name = http[at]!.name ? ` '${http[at]!.name}'` : '';
    const headers = Object.keys((block.headers ?? {}) as object).join(', ');
    throw new InputError(objectProblem(vs, `spec.http[${at}]`,
      `the route${name} comes before the owned route and already catches every request the dark-launch rule would${(rule.match?.length ?? 0) > 1 ? ` in its block made from spec.http[${ownedIndex}].match[${j}]` : ''} — requests with ${headers} included — so the cohort would never reach the canary; expected the owned route to be the first that such requests reach: move that route after it, narrow its match, or pick another dark-launch header`));
  });
}
