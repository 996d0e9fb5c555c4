// ValidateDestinationRule (istio pkg/config/validation/validation.go): host, traffic policy, subsets,
// exportTo, workload selector. Of the traffic policy, the checks below are mirrored; TLS settings,
// locality load balancing, warmup and maglev table sizes are not (see webhook-rules.ts).
import { durationError, durationNanos } from './duration.ts';
import { isIstioDnsLabel, labelsErrors, wildcardDomainError } from './names.ts';
import { Findings, isObject, list, type Json, type RuleProblem } from './problem.ts';
import { checkExportTo } from './virtual-service.ts';

const POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol'] as const;
const PORT_POLICY_FIELDS = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'] as const;

export function destinationRuleProblems(spec: Json, namespace: string): RuleProblem[] {
  const f = new Findings();
  f.check('host', 'spec.host', wildcardDomainError(typeof spec.host === 'string' ? spec.host : ''));
  checkTrafficPolicy(f, spec.trafficPolicy, 'spec.trafficPolicy');
  const names = new Set<string>();
  list(spec.subsets).forEach((s, i) => {
    const at = `spec.subsets[${i}]`;
    if (!isObject(s)) {
      f.add('subset', at, 'subset may not be null');
      return;
    }
    const name = typeof s.name === 'string' ? s.name : '';
    if (names.has(name)) f.add('subset-unique', `${at}.name`, `duplicate subset names: ${name}`);
    names.add(name);
    if (name === '') f.add('subset-name', `${at}.name`, 'subset name cannot be empty');
    else if (!isIstioDnsLabel(name)) f.add('subset-name', `${at}.name`, `subset name is invalid: ${name}`);
    for (const message of labelsErrors(s.labels)) f.add('labels', `${at}.labels`, message);
    checkTrafficPolicy(f, s.trafficPolicy, `${at}.trafficPolicy`);
  });
  checkExportTo(f, spec.exportTo, namespace);
  return f.list;
}

function checkTrafficPolicy(f: Findings, policy: unknown, path: string): void {
  if (!isObject(policy)) return;
  if (!POLICY_FIELDS.some((k) => policy[k] !== undefined && policy[k] !== null)) {
    f.add('traffic-policy', path, 'traffic policy must have at least one field');
    return;
  }
  if (policy.tunnel !== undefined && policy.proxyProtocol !== undefined) {
    f.add('traffic-policy', path, 'tunnel and proxyProtocol must not be set together');
    return;
  }
  checkOutlierDetection(f, policy.outlierDetection, `${path}.outlierDetection`);
  checkConnectionPool(f, policy.connectionPool, `${path}.connectionPool`);
  list(policy.portLevelSettings).forEach((p, i) => {
    const at = `${path}.portLevelSettings[${i}]`;
    if (!isObject(p)) {
      f.add('traffic-policy', at, 'traffic policy may not be null');
      return;
    }
    if (!isObject(p.port)) f.add('traffic-policy', at, 'portTrafficPolicy must have valid port');
    if (!PORT_POLICY_FIELDS.some((k) => p[k] !== undefined && p[k] !== null)) {
      f.add('traffic-policy', at, 'port traffic policy must have at least one field');
      return;
    }
    checkOutlierDetection(f, p.outlierDetection, `${at}.outlierDetection`);
    checkConnectionPool(f, p.connectionPool, `${at}.connectionPool`);
  });
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const wrapped = (v: unknown) => (isObject(v) ? num(v.value) : num(v));

function checkOutlierDetection(f: Findings, outlier: unknown, path: string): void {
  if (!isObject(outlier)) return;
  f.check('duration', `${path}.baseEjectionTime`, durationError(outlier.baseEjectionTime));
  f.check('duration', `${path}.interval`, durationError(outlier.interval));
  if (outlier.splitExternalLocalOriginErrors !== true && wrapped(outlier.consecutiveLocalOriginFailures) > 0) {
    f.add('outlier-detection', path, 'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false');
  }
  for (const field of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const v = num(outlier[field]);
    if (v < 0 || v > 100) f.add('outlier-detection', `${path}.${field}`, `percentage ${v} is not in range 0..100`);
  }
}

function checkConnectionPool(f: Findings, pool: unknown, path: string): void {
  if (!isObject(pool)) return;
  const http = isObject(pool.http) ? pool.http : undefined;
  const tcp = isObject(pool.tcp) ? pool.tcp : undefined;
  if (!http && !tcp) {
    f.add('connection-pool', path, 'connection pool must have at least one field');
    return;
  }
  const nonNegative = (obj: Json, field: string, what: string, at: string) => {
    if (num(obj[field]) < 0) f.add('connection-pool', `${at}.${field}`, `${what} must be non-negative`);
  };
  if (http) {
    const at = `${path}.http`;
    nonNegative(http, 'http1MaxPendingRequests', 'http1 max pending requests', at);
    nonNegative(http, 'http2MaxRequests', 'http2 max requests', at);
    nonNegative(http, 'maxRequestsPerConnection', 'max requests per connection', at);
    nonNegative(http, 'maxRetries', 'max retries', at);
    nonNegative(http, 'maxConcurrentStreams', 'max concurrent streams', at);
    f.check('duration', `${at}.idleTimeout`, durationError(http.idleTimeout));
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
      f.add('connection-pool', at, 'use client protocol must not be true when H2UpgradePolicy is UPGRADE');
    }
  }
  if (tcp) {
    const at = `${path}.tcp`;
    nonNegative(tcp, 'maxConnections', 'max connections', at);
    f.check('duration', `${at}.connectTimeout`, durationError(tcp.connectTimeout));
    f.check('duration', `${at}.maxConnectionDuration`, durationError(tcp.maxConnectionDuration));
    // istiod skips an idle timeout under 1ms: 0s disables it.
    const idle = durationNanos(tcp.idleTimeout);
    if (idle !== undefined && idle >= 1_000_000n) f.check('duration', `${at}.idleTimeout`, durationError(tcp.idleTimeout));
    if (isObject(tcp.tcpKeepalive)) {
      f.check('duration', `${at}.tcpKeepalive.time`, durationError(tcp.tcpKeepalive.time));
      f.check('duration', `${at}.tcpKeepalive.interval`, durationError(tcp.tcpKeepalive.interval));
    }
  }
}
