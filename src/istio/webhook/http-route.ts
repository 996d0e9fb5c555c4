// validateHTTPRoute (istio pkg/config/validation/virtualservice.go and validation.go), function by
// function: route conflicts, match requests, header operations, CORS, fault, mirrors, redirect,
// direct response, retries, rewrite, authority rewrite, destinations, timeout.
import { checkDestination, checkHeaderOperations, checkRouteDestinations } from './destination.ts';
import { durationError, durationNanos } from './duration.ts';
import { isAuthority, matchHeaderNameError, regexError, type StringMatchFinding, stringMatchError, stringMatchRegexpError } from './http-names.ts';
import { fqdnError, isIstioDnsLabel, labelsErrors, portError } from './names.ts';
import { entries, type Findings, isObject, type Json, list, q } from './problem.ts';

/** Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies istiod accepts (supportedRetryOnPolicies). */
const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
/** Status codes Go's http.StatusText knows (a retryOn entry may be one). */
const GO_STATUS_TEXT = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);
const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*']);
const GRPC_STATUS = new Set([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
]);
const CORS_HEADER = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const MB = 1024 * 1024;

const present = (r: Json, key: string) => r[key] !== undefined && r[key] !== null;
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

export function checkHttpRoute(f: Findings, r: Json, path: string, delegate: boolean): void {
  checkConflicts(f, r, path, delegate);
  checkMatches(f, r, path);
  checkHeaderOperations(f, r.headers, `${path}.headers`);
  checkCors(f, r.corsPolicy, `${path}.corsPolicy`);
  checkFault(f, r.fault, `${path}.fault`);
  checkMirrors(f, r, path);
  checkRedirect(f, r.redirect, `${path}.redirect`);
  checkDirectResponse(f, r.directResponse, `${path}.directResponse`);
  checkRetries(f, r.retries, `${path}.retries`);
  checkRewrite(f, r.rewrite, `${path}.rewrite`);
  checkAuthorityRewrite(f, r, path);
  checkRouteDestinations(f, r.route, `${path}.route`, true);
  f.check('duration', `${path}.timeout`, durationError(r.timeout));
}

/** validateHTTPRouteConflict: a rule routes, redirects, responds directly, or (root) delegates. */
function checkConflicts(f: Findings, r: Json, path: string, delegate: boolean): void {
  const conflict = (field: string, message: string) => f.add('conflicting-actions', `${path}.${field}`, message);
  const routes = nonEmpty(r.route);
  if (!delegate && present(r, 'delegate')) {
    if (present(r, 'redirect')) conflict('redirect', `root HTTP route ${r.name ?? ''} must not specify redirect`);
    if (r.route !== undefined && r.route !== null) conflict('route', `root HTTP route ${r.name ?? ''} must not specify route`);
    return;
  }
  if (delegate && present(r, 'delegate')) conflict('delegate', 'delegate HTTP route cannot contain delegate');
  if (present(r, 'redirect')) {
    if (routes) conflict('route', 'HTTP route cannot contain both route and redirect');
    if (present(r, 'fault')) conflict('fault', 'HTTP route cannot contain both fault and redirect');
    if (present(r, 'rewrite')) conflict('rewrite', 'HTTP route rule cannot contain both rewrite and redirect');
    if (present(r, 'directResponse')) conflict('directResponse', 'HTTP route rule cannot contain both direct_response and redirect');
  } else if (present(r, 'directResponse')) {
    if (routes) conflict('route', 'HTTP route cannot contain both route and direct_response');
    if (present(r, 'fault')) conflict('fault', 'HTTP route cannot contain both fault and direct_response');
    if (present(r, 'rewrite')) conflict('rewrite', 'HTTP route rule cannot contain both rewrite and direct_response');
  } else if (!routes) {
    f.add('action-required', path, 'HTTP route, redirect or direct_response is required');
  }
  if (present(r, 'mirror') && nonEmpty(r.mirrors)) f.add('mirror-exclusive', `${path}.mirrors`, 'HTTP route cannot contain both mirror and mirrors');
}

/** validateHTTPRouteMatchRequest. */
function checkMatches(f: Findings, r: Json, path: string): void {
  list(r.match).forEach((m, j) => {
    if (!isObject(m)) return;
    const at = `${path}.match[${j}]`;
    const sm = (field: string, finding: StringMatchFinding | undefined) => finding && f.add(finding.rule, `${field}.${finding.field}`, finding.message);
    for (const [name, header] of entries(m.headers)) {
      if (header === null) f.add('string-match', `${at}.headers.${name}`, `header match ${name} cannot be null`);
      f.check('header-name', `${at}.headers.${name}`, matchHeaderNameError(name));
      sm(`${at}.headers.${name}`, stringMatchError(header));
    }
    for (const [name, header] of entries(m.withoutHeaders)) {
      f.check('header-name', `${at}.withoutHeaders.${name}`, matchHeaderNameError(name));
      // `regex: "*"` is not RE2: Envoy reads it as "present".
      if (isObject(header) && header.regex !== '*') sm(`${at}.withoutHeaders.${name}`, stringMatchError(header));
    }
    sm(`${at}.uri`, stringMatchRegexpError(m.uri));
    for (const field of ['scheme', 'method', 'authority'] as const) sm(`${at}.${field}`, stringMatchError(m[field]));
    for (const [name, qp] of entries(m.queryParams)) sm(`${at}.queryParams.${name}`, stringMatchError(qp));
    if (typeof m.port === 'number' && m.port !== 0) f.check('port', `${at}.port`, portError(m.port));
    for (const message of labelsErrors(m.sourceLabels)) f.add('labels', `${at}.sourceLabels`, message);
    checkGatewayNames(f, m.gateways, `${at}.gateways`);
    if (typeof m.sourceNamespace === 'string' && m.sourceNamespace !== '' && !isIstioDnsLabel(m.sourceNamespace)) {
      f.add('source-namespace', `${at}.sourceNamespace`, `sourceNamespace match ${m.sourceNamespace} is invalid`);
    }
  });
}

/** validateGatewayNames (without Gateway API semantics); like istiod it stops at the first name without a namespace. */
export function checkGatewayNames(f: Findings, gateways: unknown, path: string): void {
  for (const [i, gateway] of list(gateways).entries()) {
    const name = String(gateway);
    const at = `${path}[${i}]`;
    const slash = name.indexOf('/');
    if (slash < 0) {
      f.check('gateway-name', at, fqdnError(name));
      return;
    }
    const [ns, gw] = [name.slice(0, slash), name.slice(slash + 1)];
    if (ns === '' || gw === '') f.add('gateway-name', at, 'config namespace and gateway name cannot be empty');
    if (!isIstioDnsLabel(ns)) f.add('gateway-name', at, `invalid value for namespace: ${q(ns)}`);
    if (!isIstioDnsLabel(gw)) f.add('gateway-name', at, `invalid value for gateway name: ${q(gw)}`);
  }
}

/** validateCORSPolicy. */
function checkCors(f: Findings, policy: unknown, path: string): void {
  if (!isObject(policy)) return;
  list(policy.allowOrigins).forEach((origin, i) => {
    const o = isObject(origin) ? origin : {};
    const match = [o.exact, o.prefix, o.regex].find((v) => typeof v === 'string');
    if (match === undefined || match === '') {
      f.add('cors', `${path}.allowOrigins[${i}]`, `'${match ?? ''}' is not a valid match type for CORS allow origins`);
      return;
    }
    const regex = stringMatchRegexpError(o);
    if (regex) f.add('regex', `${path}.allowOrigins[${i}].regex`, regex.message);
  });
  list(policy.allowMethods).forEach((m, i) => {
    if (!CORS_METHODS.has(String(m))) f.add('cors', `${path}.allowMethods[${i}]`, `${q(String(m))} is not a supported HTTP method`);
  });
  for (const field of ['allowHeaders', 'exposeHeaders'] as const) {
    list(policy[field]).forEach((h, i) => {
      const name = String(h);
      const message = name === '' ? 'header name cannot be empty' : name === '*' || CORS_HEADER.test(name) ? undefined : `header name ${name} is not a valid header name`;
      f.check('cors', `${path}.${field}[${i}]`, message);
    });
  }
  if (policy.maxAge !== undefined) {
    f.check('duration', `${path}.maxAge`, durationError(policy.maxAge));
    const nanos = durationNanos(policy.maxAge);
    if (nanos !== undefined && nanos % 1_000_000_000n !== 0n) f.add('cors', `${path}.maxAge`, 'max_age duration is accurate only to seconds precision');
  }
}

/** validatePercentage: 0, or within [0.0001, 100]. */
function percentageError(p: unknown): string | undefined {
  if (!isObject(p)) return undefined;
  const v = typeof p.value === 'number' ? p.value : 0;
  return v < 0 || v > 100 || (v > 0 && v < 0.0001) ? `percentage ${goFloat(v)} is neither 0.0, nor in range [0.0001, 100.0]` : undefined;
}

/** Go's %v of a float64: exponent form below 1e-4 and from 1e21, with at least two exponent digits. */
function goFloat(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0 || (abs >= 1e-4 && abs < 1e21)) return String(v);
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

/** validateHTTPStatus. */
function httpStatusError(status: unknown): string | undefined {
  const s = typeof status === 'number' ? status : 0;
  return s < 200 || s > 600 ? `HTTP status ${s} is not in range 200-599` : undefined;
}

/** validateHTTPFaultInjection with its abort and delay. */
function checkFault(f: Findings, fault: unknown, path: string): void {
  if (!isObject(fault)) return;
  const abort = isObject(fault.abort) ? fault.abort : undefined;
  const delay = isObject(fault.delay) ? fault.delay : undefined;
  if (!abort && !delay) f.add('fault', path, 'HTTP fault injection must have an abort and/or a delay');
  if (abort) {
    f.check('fault', `${path}.abort.percentage`, percentageError(abort.percentage));
    if (abort.grpcStatus !== undefined) {
      const s = String(abort.grpcStatus);
      if (!GRPC_STATUS.has(s)) {
        f.add('fault', `${path}.abort.grpcStatus`, `gRPC status ${q(s)} is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`);
      }
    } else if (abort.http2Error !== undefined) f.add('fault', `${path}.abort.http2Error`, 'HTTP/2 abort fault injection not supported yet');
    else if (abort.httpStatus !== undefined) f.check('fault', `${path}.abort.httpStatus`, httpStatusError(abort.httpStatus));
  }
  if (delay) {
    f.check('fault', `${path}.delay.percentage`, percentageError(delay.percentage));
    if (delay.fixedDelay !== undefined) f.check('duration', `${path}.delay.fixedDelay`, durationError(delay.fixedDelay));
    else if (delay.exponentialDelay !== undefined) {
      f.check('duration', `${path}.delay.exponentialDelay`, durationError(delay.exponentialDelay));
      f.add('fault', `${path}.delay.exponentialDelay`, 'exponentialDelay not supported yet');
    }
  }
}

/** mirrorPercent (deprecated), mirrorPercentage, mirror, mirrors. */
function checkMirrors(f: Findings, r: Json, path: string): void {
  if (typeof r.mirrorPercent === 'number' && r.mirrorPercent > 100) {
    f.add('mirror-percentage', `${path}.mirrorPercent`, `mirror_percent must have a max value of 100 (it has ${r.mirrorPercent})`);
  }
  const value = isObject(r.mirrorPercentage) && typeof r.mirrorPercentage.value === 'number' ? r.mirrorPercentage.value : undefined;
  if (value !== undefined && value > 100) f.add('mirror-percentage', `${path}.mirrorPercentage.value`, `mirror_percentage must have a max value of 100 (it has ${value.toFixed(6)})`);
  if (value !== undefined && value < 0) f.add('mirror-percentage', `${path}.mirrorPercentage.value`, `mirror_percentage must have a min value of 0 (it has ${value.toFixed(6)})`);
  checkDestination(f, r.mirror, `${path}.mirror`);
  list(r.mirrors).forEach((m, i) => {
    const at = `${path}.mirrors[${i}]`;
    if (!isObject(m)) {
      f.add('mirror', at, 'mirror cannot be null');
      return;
    }
    if (!isObject(m.destination)) {
      f.add('mirror', `${at}.destination`, 'destination is required for mirrors');
      return;
    }
    checkDestination(f, m.destination, `${at}.destination`);
    const v = isObject(m.percentage) && typeof m.percentage.value === 'number' ? m.percentage.value : undefined;
    if (v !== undefined && v > 100) f.add('mirror-percentage', `${at}.percentage.value`, `mirror percentage must have a max value of 100 (it has ${v.toFixed(6)})`);
    if (v !== undefined && v < 0) f.add('mirror-percentage', `${at}.percentage.value`, `mirror percentage must have a min value of 0 (it has ${v.toFixed(6)})`);
  });
}

/** validateHTTPRedirect: it stops at the first problem. */
function checkRedirect(f: Findings, redirect: unknown, path: string): void {
  if (!isObject(redirect)) return;
  const str = (k: string) => (typeof redirect[k] === 'string' ? (redirect[k] as string) : '');
  const hasPort = redirect.port !== undefined || redirect.derivePort !== undefined;
  const code = typeof redirect.redirectCode === 'number' ? redirect.redirectCode : 0;
  let message: string | undefined;
  if (str('uri') === '' && str('authority') === '' && !hasPort && str('scheme') === '') message = 'redirect must specify URI, authority, scheme, or port';
  else if (code !== 0 && (code < 300 || code > 399)) message = `${code} is not a valid redirect code, must be 3xx`;
  else if (str('scheme') !== '' && str('scheme') !== 'http' && str('scheme') !== 'https') message = 'invalid redirect scheme, must be "http" or "https"';
  else if (typeof redirect.port === 'number' && redirect.port > 0) message = portError(redirect.port);
  f.check('redirect', path, message);
}

/** validateHTTPDirectResponse. */
function checkDirectResponse(f: Findings, response: unknown, path: string): void {
  if (!isObject(response)) return;
  const body = isObject(response.body) ? response.body : undefined;
  const size = typeof body?.string === 'string' ? Buffer.byteLength(body.string) : typeof body?.bytes === 'string' ? Buffer.from(body.bytes, 'base64').length : 0;
  if (size > MB) f.add('direct-response', `${path}.body`, 'large direct_responses may impact control plane performance, must be less than 1MB');
  f.check('direct-response', `${path}.status`, httpStatusError(response.status));
}

/** validateHTTPRetry: retry fields with attempts 0 (retries disabled) are an error, not ignored. */
function checkRetries(f: Findings, retries: unknown, path: string): void {
  if (!isObject(retries)) return;
  const attempts = typeof retries.attempts === 'number' ? retries.attempts : 0;
  if (attempts < 0) f.add('retries', `${path}.attempts`, 'attempts cannot be negative');
  const configured = present(retries, 'perTryTimeout') || (typeof retries.retryOn === 'string' && retries.retryOn !== '') || present(retries, 'retryRemoteLocalities');
  if (attempts === 0 && configured) f.add('retries', path, 'http retry policy configured when attempts are set to 0 (disabled)');
  f.check('duration', `${path}.perTryTimeout`, durationError(retries.perTryTimeout));
  if (typeof retries.retryOn === 'string' && retries.retryOn !== '') {
    for (const policy of retries.retryOn.split(',')) {
      const code = /^[+-]?[0-9]+$/.test(policy) ? Number(policy) : 0;
      if (!GO_STATUS_TEXT.has(code) && !RETRY_ON.has(policy)) f.add('retries', `${path}.retryOn`, `${q(policy)} is not a valid retryOn policy`);
    }
  }
  f.check('duration', `${path}.backoff`, durationError(retries.backoff));
}

/** validateHTTPRewrite with validateURIRegexRewrite. */
function checkRewrite(f: Findings, rewrite: unknown, path: string): void {
  if (!isObject(rewrite)) return;
  const uri = typeof rewrite.uri === 'string' ? rewrite.uri : '';
  const authority = typeof rewrite.authority === 'string' ? rewrite.authority : '';
  const regex = isObject(rewrite.uriRegexRewrite) ? rewrite.uriRegexRewrite : undefined;
  if (uri !== '' && regex) {
    f.add('rewrite', path, 'rewrite may only contain one of URI or UriRegexRewrite');
    return;
  }
  if (uri === '' && !regex && authority === '') {
    f.add('rewrite', path, 'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified');
    return;
  }
  if (!regex) return;
  const match = typeof regex.match === 'string' ? regex.match : '';
  const to = typeof regex.rewrite === 'string' ? regex.rewrite : '';
  if (match === '' || to === '') {
    f.add('rewrite', `${path}.uriRegexRewrite`, 'UriRegexRewrite has errors\nUriRegexRewrite requires both Rewrite and Match fields to be specified');
    return;
  }
  const error = regexError(match);
  if (error) f.add('regex', `${path}.uriRegexRewrite.match`, `UriRegexRewrite has errors\n${error}`);
}

/** validateAuthorityRewrite: the authority is rewritten in one place only (rewrite.authority or one request header). */
function checkAuthorityRewrite(f: Findings, r: Json, path: string): void {
  const request = isObject(r.headers) && isObject(r.headers.request) ? r.headers.request : {};
  const values = [
    ...(isObject(r.rewrite) && typeof r.rewrite.authority === 'string' ? [r.rewrite.authority] : []),
    ...entries(request.set).filter(([k]) => isAuthority(k)).map(([, v]) => String(v)),
    ...entries(request.add).filter(([k]) => isAuthority(k)).map(([, v]) => String(v)),
  ].filter((v) => v !== '');
  // istiod walks Go maps (random order) and fails once a second non-empty value meets a first one.
  if (values.length > 1) f.add('authority-rewrite', `${path}.headers.request`, `authority header cannot be set multiple times: have ${q(values[0]!)}, attempting to set ${q(values[1]!)}`);
}

