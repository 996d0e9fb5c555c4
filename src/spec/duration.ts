// Durations as users write them (`500ms`, `30s`, `5m`, `1h30m`, Go's syntax without µs/ns) and as
// Prometheus wants them in a range selector. Milliseconds inside.
import { InputError } from '../errors.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** What is wrong with `text` as a duration, or undefined when it parses. */
export function durationProblem(text: string): string | undefined {
  if (text === '0' || WHOLE.test(text)) return undefined;
  return `expected a duration such as 500ms, 30s, 5m or 1h30m, got ${JSON.stringify(text)}`;
}

/** `1h30m` → 5400000. Throws InputError on anything else. Rounds to whole milliseconds. */
export function parseDuration(text: string, path = ''): number {
  const problem = durationProblem(text);
  if (problem) throw new InputError({ path, message: problem });
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(ms);
}

/** 90000 → `1m30s`, 500 → `500ms`, 0 → `0s`: the shortest exact Prometheus duration. */
export function formatPromDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms} ms`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
