// Numbers as people read them, the same in verdict reasons, logs and reports.

/** Up to 4 significant digits, no exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e9 || abs < 1e-4) return value.toExponential(3);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** formatNumber, or `no data` for undefined. */
export function formatValue(value: number | undefined): string {
  return value === undefined ? 'no data' : formatNumber(value);
}

/** A p-value in two significant digits: 0.031, 5e-10. */
export function formatP(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-4) return p.toExponential(0);
  return String(Number(p.toPrecision(2)));
}

/** A rate (0..1) as a percentage with up to three significant digits. */
export function percent(rate: number): string {
  return `${Number((100 * rate).toPrecision(3))}%`;
}
