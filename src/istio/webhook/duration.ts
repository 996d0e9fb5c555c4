// agent.ValidateDuration: at least 1ms, whole milliseconds. istiod reads a Duration written as Go's
// time.ParseDuration accepts it (`250ms`, `1m30s`, `1.5s`; the protobuf JSON `1.5s` is one of them).
const GO_DURATION = /^([-+]?)((?:[0-9]*(?:\.[0-9]*)?(?:ns|us|µs|μs|ms|s|m|h))+|0)$/;
const COMPONENT = /([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_NANOS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Nanoseconds of a duration string (fractions truncated to whole ns), or undefined when it is not one. */
export function durationNanos(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const m = GO_DURATION.exec(text);
  if (!m) return undefined;
  let nanos = 0n;
  for (const [, whole, fraction, unit] of m[2]!.matchAll(COMPONENT)) {
    if (whole === '' && (fraction ?? '') === '') return undefined; // `.s` is not a number
    const scale = UNIT_NANOS[unit!]!;
    const digits = fraction ?? '';
    nanos += BigInt(whole || '0') * scale + (BigInt(digits || '0') * scale) / 10n ** BigInt(digits.length);
  }
  return m[1] === '-' ? -nanos : nanos;
}

export function durationError(text: unknown): string | undefined {
  const nanos = durationNanos(text);
  if (nanos === undefined) return undefined;
  if (nanos < 1_000_000n) return 'duration must be greater than 1ms';
  if (nanos % 1_000_000n !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}
