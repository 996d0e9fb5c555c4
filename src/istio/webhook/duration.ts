// agent.ValidateDuration on the protobuf JSON form of a Duration (`1.5s`): at least 1ms, whole ms.
// Other spellings (`1m`) are the CRD's and the decoder's business, not this rule's.
const PROTO_DURATION = /^(-)?([0-9]+)(?:\.([0-9]{1,9}))?s$/;

/** Nanoseconds of a protobuf JSON duration, or undefined when `text` is not one. */
export function durationNanos(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const m = PROTO_DURATION.exec(text);
  if (!m) return undefined;
  const nanos = BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] ? -nanos : nanos;
}

export function durationError(text: unknown): string | undefined {
  const nanos = durationNanos(text);
  if (nanos === undefined) return undefined;
  if (nanos < 1_000_000n) return 'duration must be greater than 1ms';
  if (nanos % 1_000_000n !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}
