// Live routing statistics per service, so tests can check "traffic went back to stable"
// directly rather than only through Prometheus.

export interface VersionStats {
  live: number;
  mirrored: number;
  /** Live responses by status code. */
  liveByCode: Record<string, number>;
  /** Shadow responses (dropped by the client's proxy) by status code. */
  mirroredByCode: Record<string, number>;
}

export interface ServiceStats {
  requests: number;
  /** Keyed by version name (or `ns/service:version` when routed to another service). */
  versions: Record<string, VersionStats>;
  /** Replies the client's proxy made itself, keyed `"<code> <flag>"`, e.g. `"503 NC"`. */
  local: Record<string, number>;
  /** Outbound calls keyed `"<from version> <host> <cluster> <code>"`. */
  outbound: Record<string, number>;
}

export function emptyStats(): ServiceStats {
  return { requests: 0, versions: {}, local: {}, outbound: {} };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function versionStats(stats: ServiceStats, version: string): VersionStats {
  let v = stats.versions[version];
  if (!v) {
    v = { live: 0, mirrored: 0, liveByCode: {}, mirroredByCode: {} };
    stats.versions[version] = v;
  }
  return v;
}

export function countLive(stats: ServiceStats, version: string, code: number): void {
  const v = versionStats(stats, version);
  v.live++;
  bump(v.liveByCode, String(code));
}

export function countMirrored(stats: ServiceStats, version: string, code: number): void {
  const v = versionStats(stats, version);
  v.mirrored++;
  bump(v.mirroredByCode, String(code));
}

export function countLocal(stats: ServiceStats, code: number, flag: string): void {
  bump(stats.local, `${code} ${flag}`);
}

export function countOutbound(stats: ServiceStats, from: string, host: string, cluster: string, code: number): void {
  bump(stats.outbound, `${from} ${host} ${cluster} ${code}`);
}
