// Exact binomial tails for judging a canary on few requests (the sequential tests build on them):
// the upper tail, the critical count at a level, and the rate a count of requests would catch.
// Everything works in log space so that millions of requests neither overflow nor lose the tail.

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x >= 1 (Lanczos approximation, relative error ~1e-15). */
export function logGamma(x: number): number {
  const z = x - 1;
  let a = LANCZOS[0] ?? 1;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln of the binomial coefficient C(n, k). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** Sum of exp(terms) kept in log form: ln(Σ e^t) without overflow. */
class LogSum {
  private max = -Infinity;
  private scaled = 0;
  add(logTerm: number): void {
    if (logTerm <= this.max) {
      this.scaled += Math.exp(logTerm - this.max);
      return;
    }
    this.scaled = this.scaled * Math.exp(this.max - logTerm) + 1;
    this.max = logTerm;
  }
  get value(): number {
    return this.max + Math.log(this.scaled);
  }
  get largest(): number {
    return this.max;
  }
}

// Terms below largest × e^-40 (~4e-18) cannot change a double sum.
const NEGLIGIBLE = 40;

/** P(X >= k) for X ~ Binomial(n, p): the exact upper tail, summed term by term in log space. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logOdds = Math.log(p) - Math.log1p(-p);
  const mode = Math.floor((n + 1) * p);
  const sum = new LogSum();
  let logTerm = logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  for (let i = k; i <= n; i++) {
    sum.add(logTerm);
    if (i > mode && logTerm < sum.largest - NEGLIGIBLE) break;
    logTerm += Math.log(n - i) - Math.log(i + 1) + logOdds;
  }
  return Math.min(1, Math.exp(sum.value));
}

/** The smallest count k with P(X >= k) <= level for X ~ Binomial(n, p): the fewest hits that reject "rate <= p" at `level`; n + 1 when none does. */
export function criticalCount(n: number, p: number, level: number): number {
  if (p <= 0) return Math.min(1, n + 1);
  let lo = 0;
  let hi = n + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialUpperTail(mid, n, p) <= level) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The smallest rate whose hits reach `k` of `n` with probability `power` (bisection; 1 when even rate 1 cannot, i.e. k > n). */
export function rateCaughtWith(k: number, n: number, power: number): number {
  if (k <= 0) return 0;
  if (k > n) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomialUpperTail(k, n, mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}
