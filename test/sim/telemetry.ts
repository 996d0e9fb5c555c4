// Istio's standard HTTP metrics, kept in memory and rendered in Prometheus' text format:
// istio_requests_total (counter) and istio_request_duration_milliseconds (histogram, Istio's
// default buckets), one series per distinct label set. Beside them one application metric, the
// request counter an app exports with a Prometheus client (http_requests_total): the workload
// counts every request it serves, mirrored ones included, whatever proxies there are or are not.

/** Istio's default buckets for istio_request_duration_milliseconds. */
export const DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
] as const;

/** The labels Istio's stats filter puts on both metrics, in the order we render them. */
export const LABEL_NAMES = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'response_code',
  'response_flags',
  'request_protocol',
  'connection_security_policy',
] as const;

export type IstioLabels = Record<(typeof LABEL_NAMES)[number], string>;

/** The app's own labels (`method`, `code`, as Prometheus clients name them) and the target labels a
 * pod scrape adds (`namespace`, `workload`), in the order we render them. */
export const APP_LABEL_NAMES = ['namespace', 'workload', 'method', 'code'] as const;

export type AppLabels = Record<(typeof APP_LABEL_NAMES)[number], string>;

interface Counter {
  labelText: string;
  owner: string;
  count: number;
}

interface Series {
  /** Rendered `{a="b",...}` without the `le` label, and the same prefix for buckets. */
  labelText: string;
  owner: string;
  count: number;
  sum: number;
  /** Non-cumulative count per bucket; cumulated when rendering. Last slot is +Inf. */
  buckets: number[];
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function bucketIndex(ms: number): number {
  for (let i = 0; i < DURATION_BUCKETS_MS.length; i++) if (ms <= DURATION_BUCKETS_MS[i]!) return i;
  return DURATION_BUCKETS_MS.length;
}

export class Telemetry {
  private readonly series = new Map<string, Series>();
  private readonly appRequests = new Map<string, Counter>();

  /** Count one request as seen by one proxy. `owner` scopes resets (a service key). */
  record(owner: string, labels: IstioLabels, durationMs: number): void {
    let key = owner;
    for (const name of LABEL_NAMES) key += `\u0001${labels[name]}`;
    let s = this.series.get(key);
    if (!s) {
      const labelText = LABEL_NAMES.map((n) => `${n}="${escapeLabelValue(labels[n])}"`).join(',');
      s = { labelText, owner, count: 0, sum: 0, buckets: new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += durationMs;
    s.buckets[bucketIndex(durationMs)]!++;
  }

  /** Count one request the workload served (live or mirrored), as the app's own counter does. */
  recordServedByApp(owner: string, labels: AppLabels): void {
    let key = owner;
    for (const name of APP_LABEL_NAMES) key += `\u0001${labels[name]}`;
    let c = this.appRequests.get(key);
    if (!c) {
      c = { labelText: APP_LABEL_NAMES.map((n) => `${n}="${escapeLabelValue(labels[n])}"`).join(','), owner, count: 0 };
      this.appRequests.set(key, c);
    }
    c.count++;
  }

  /** Drop every series owned by `owner` (all when omitted); Prometheus sees a counter reset. */
  reset(owner?: string): void {
    for (const map of [this.series, this.appRequests] as Array<Map<string, { owner: string }>>) {
      if (owner === undefined) map.clear();
      else for (const [k, s] of map) if (s.owner === owner) map.delete(k);
    }
  }

  get seriesCount(): number {
    return this.series.size + this.appRequests.size;
  }

  /** One series per label set: two owners (e.g. two services' loads through one gateway to one version)
   * can record the same labels, and an exposition with a duplicate series is one Prometheus drops. */
  private mergedSeries(): Series[] {
    const merged = new Map<string, Series>();
    for (const s of this.series.values()) {
      const m = merged.get(s.labelText);
      if (!m) merged.set(s.labelText, { ...s, buckets: [...s.buckets] });
      else {
        m.count += s.count;
        m.sum += s.sum;
        s.buckets.forEach((n, i) => {
          m.buckets[i]! += n;
        });
      }
    }
    return [...merged.values()];
  }

  private mergedAppRequests(): Counter[] {
    const merged = new Map<string, Counter>();
    for (const c of this.appRequests.values()) {
      const m = merged.get(c.labelText);
      if (!m) merged.set(c.labelText, { ...c });
      else m.count += c.count;
    }
    return [...merged.values()];
  }

  render(): string {
    const series = this.mergedSeries();
    const out: string[] = [
      '# HELP istio_requests_total Requests handled by an Istio proxy (simulated).',
      '# TYPE istio_requests_total counter',
    ];
    for (const s of series) out.push(`istio_requests_total{${s.labelText}} ${s.count}`);
    out.push(
      '# HELP istio_request_duration_milliseconds Request duration as seen by an Istio proxy (simulated).',
      '# TYPE istio_request_duration_milliseconds histogram',
    );
    for (const s of series) {
      let cumulative = 0;
      DURATION_BUCKETS_MS.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        out.push(`istio_request_duration_milliseconds_bucket{${s.labelText},le="${le}"} ${cumulative}`);
      });
      out.push(`istio_request_duration_milliseconds_bucket{${s.labelText},le="+Inf"} ${s.count}`);
      out.push(`istio_request_duration_milliseconds_sum{${s.labelText}} ${s.sum}`);
      out.push(`istio_request_duration_milliseconds_count{${s.labelText}} ${s.count}`);
    }
    out.push('# HELP http_requests_total Requests served by the workload, as its Prometheus client counts them (simulated).', '# TYPE http_requests_total counter');
    for (const c of this.mergedAppRequests()) out.push(`http_requests_total{${c.labelText}} ${c.count}`);
    return `${out.join('\n')}\n`;
  }
}
