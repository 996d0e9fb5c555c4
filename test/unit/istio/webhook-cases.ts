// The istiod rules we mirror, as cases: for each, istiod's function, our rule id, an input istiod
// rejects, the field and istiod's reason; and inputs istiod accepts that a stricter copy would refuse.
// Used by webhook-rules.test.ts, and meant for a differential check against `istioctl validate`.
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';

const dest = { destination: { host: 'catalog', subset: 'v1' } };
const route = (extra: Record<string, unknown>): HttpRoute => ({ route: [dest], ...extra }) as HttpRoute;
export const vsWith = (spec: Record<string, unknown>): VirtualService =>
  ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'ns' }, spec: { hosts: ['catalog'], ...spec } }) as VirtualService;
export const vsRoute = (r: HttpRoute) => vsWith({ http: [r] });
const drWith = (spec: Record<string, unknown>): DestinationRule =>
  ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'c', namespace: 'ns' }, spec: { host: 'catalog', ...spec } }) as DestinationRule;

export type Row = [istiodFunction: string, rule: string, input: VirtualService | DestinationRule, path: string, istioReason: string];

export const REJECTED: Row[] = [
  ['validateHTTPRetry', 'retries', vsRoute(route({ retries: { attempts: 0, perTryTimeout: '1s' } })), 'spec.http[0].retries', 'http retry policy configured when attempts are set to 0 (disabled)'],
  ['validateHTTPRetry', 'retries', vsRoute(route({ retries: { retryOn: '5xx' } })), 'spec.http[0].retries', 'http retry policy configured when attempts are set to 0 (disabled)'],
  ['validateHTTPRetry', 'retries', vsRoute(route({ retries: { retryRemoteLocalities: false } })), 'spec.http[0].retries', 'http retry policy configured when attempts are set to 0 (disabled)'],
  ['validateHTTPRetry', 'retries', vsRoute(route({ retries: { attempts: -1 } })), 'spec.http[0].retries.attempts', 'attempts cannot be negative'],
  ['validateHTTPRetry', 'retries', vsRoute(route({ retries: { attempts: 2, retryOn: '5xx, reset' } })), 'spec.http[0].retries.retryOn', '" reset" is not a valid retryOn policy'],
  ['validateHTTPRetry', 'retries', vsRoute(route({ retries: { attempts: 2, retryOn: '599' } })), 'spec.http[0].retries.retryOn', '"599" is not a valid retryOn policy'],
  ['validateHTTPRetry → ValidateDuration', 'duration', vsRoute(route({ retries: { attempts: 2, perTryTimeout: '0.0005s' } })), 'spec.http[0].retries.perTryTimeout', 'duration must be greater than 1ms'],
  ['validateHTTPRetry → ValidateDuration', 'duration', vsRoute(route({ retries: { attempts: 2, backoff: '1.0001s' } })), 'spec.http[0].retries.backoff', 'only durations to ms precision are supported'],
  ['validateHTTPRoute (timeout)', 'duration', vsRoute(route({ timeout: '0s' })), 'spec.http[0].timeout', 'duration must be greater than 1ms'],
  ['ValidateDuration (Go spelling)', 'duration', vsRoute(route({ timeout: '0.5ms' })), 'spec.http[0].timeout', 'duration must be greater than 1ms'],
  ['ValidateDuration (Go spelling)', 'duration', vsRoute(route({ retries: { attempts: 2, perTryTimeout: '1500us' } })), 'spec.http[0].retries.perTryTimeout', 'only durations to ms precision are supported'],
  ['validateHTTPRouteConflict', 'action-required', vsRoute({ route: [] }), 'spec.http[0]', 'HTTP route, redirect or direct_response is required'],
  ['validateHTTPRouteConflict', 'conflicting-actions', vsRoute(route({ redirect: { uri: '/' } })), 'spec.http[0].route', 'HTTP route cannot contain both route and redirect'],
  ['validateHTTPRouteConflict', 'conflicting-actions', vsRoute({ redirect: { uri: '/' }, fault: { abort: { httpStatus: 500 } } }), 'spec.http[0].fault', 'HTTP route cannot contain both fault and redirect'],
  ['validateHTTPRouteConflict', 'conflicting-actions', vsRoute({ directResponse: { status: 200 }, rewrite: { uri: '/' } }), 'spec.http[0].rewrite', 'HTTP route rule cannot contain both rewrite and direct_response'],
  ['validateHTTPRouteConflict', 'conflicting-actions', vsRoute(route({ delegate: { name: 'd' } })), 'spec.http[0].route', 'root HTTP route  must not specify route'],
  ['validateHTTPRouteConflict', 'mirror-exclusive', vsRoute(route({ mirror: { host: 'c' }, mirrors: [{ destination: { host: 'd' } }] })), 'spec.http[0].mirrors', 'HTTP route cannot contain both mirror and mirrors'],
  ['validateHTTPRouteMatchRequest', 'header-name', vsRoute(route({ match: [{ headers: { ':foo': { exact: 'a' } } }] })), 'spec.http[0].match[0].headers.:foo', 'header name :foo is not a valid header name'],
  ['validateHTTPRouteMatchRequest', 'string-match', vsRoute(route({ match: [{ method: { prefix: '' } }] })), 'spec.http[0].match[0].method.prefix', 'prefix string match should not be empty'],
  ['validateHTTPRouteMatchRequest', 'string-match', vsRoute(route({ match: [{ uri: { regex: '' } }] })), 'spec.http[0].match[0].uri.regex', 'regex string match should not be empty'],
  ['validateStringRegexp', 'regex', vsRoute(route({ match: [{ headers: { h: { regex: 'é'.repeat(513) } } }] })), 'spec.http[0].match[0].headers.h.regex', 'regex is too large, max length allowed is 1024'],
  // RE2 ports know Unicode classes Go's regexp (istiod's) does not: newer scripts, and (go1.26) every underscored script name.
  ['validateStringRegexp', 'regex', vsRoute(route({ match: [{ headers: { h: { regex: '[\\P{Sunuwar}a]' } } }] })), 'spec.http[0].match[0].headers.h.regex',
    "not a valid RE2 regular expression (invalid character class range: `\\P{Sunuwar}`: Go's regexp, which istiod compiles it with, does not know that Unicode class; expected a script or category such as Greek, Latin, L or Lu); Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)"],
  ['validateStringRegexp', 'regex', vsRoute(route({ match: [{ uri: { regex: '/\\p{Old_Italic}+' } }] })), 'spec.http[0].match[0].uri.regex',
    "not a valid RE2 regular expression (invalid character class range: `\\p{Old_Italic}`: Go's regexp, which istiod compiles it with, does not know that Unicode class; expected a script or category such as Greek, Latin, L or Lu); Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)"],
  ['validateHTTPRouteMatchRequest', 'port', vsRoute(route({ match: [{ port: 70000 }] })), 'spec.http[0].match[0].port', 'port number 70000 must be in the range 1..65535'],
  ['validateHTTPRouteMatchRequest', 'source-namespace', vsRoute(route({ match: [{ sourceNamespace: 'a.b' }] })), 'spec.http[0].match[0].sourceNamespace', 'sourceNamespace match a.b is invalid'],
  ['validateHTTPRouteMatchRequest → labels.Validate', 'labels', vsRoute(route({ match: [{ sourceLabels: { app: 'a b' } }] })), 'spec.http[0].match[0].sourceLabels', 'invalid tag value: "a b"'],
  ['validateGatewayNames', 'gateway-name', vsRoute(route({ match: [{ gateways: ['ns/Bad_Name'] }] })), 'spec.http[0].match[0].gateways[0]', 'invalid value for gateway name: "Bad_Name"'],
  ['ValidateHTTPHeaderWithAuthorityOperationName', 'header-operation', vsRoute(route({ headers: { request: { set: { ':path': '/x' } } } })), 'spec.http[0].headers.request.set.:path', 'invalid header ":path": header cannot have ":" prefix'],
  ['ValidateHTTPHeaderOperationName', 'header-operation', vsRoute(route({ headers: { response: { set: { Host: 'x' } } } })), 'spec.http[0].headers.response.set.Host', 'invalid header "Host": cannot set Host header'],
  ['ValidateHTTPHeaderValue', 'header-value', vsRoute(route({ headers: { request: { add: { 'x-a': 'a\nb' } } } })), 'spec.http[0].headers.request.add.x-a', 'header value configuration a\nb is invalid'],
  ['validateHTTPRouteDestinations (headers)', 'header-operation', vsRoute({ route: [{ ...dest, headers: { request: { remove: ['host'] } } }] }), 'spec.http[0].route[0].headers.request.remove[0]', 'invalid header "host": cannot set Host header'],
  ['validateAuthorityRewrite', 'authority-rewrite', vsRoute(route({ rewrite: { authority: 'a' }, headers: { request: { set: { ':authority': 'b' } } } })), 'spec.http[0].headers.request', 'authority header cannot be set multiple times: have "a", attempting to set "b"'],
  ['validateCORSPolicy', 'cors', vsRoute(route({ corsPolicy: { allowMethods: ['FETCH'] } })), 'spec.http[0].corsPolicy.allowMethods[0]', '"FETCH" is not a supported HTTP method'],
  ['validateCORSPolicy', 'cors', vsRoute(route({ corsPolicy: { maxAge: '1.5s' } })), 'spec.http[0].corsPolicy.maxAge', 'max_age duration is accurate only to seconds precision'],
  ['validateAllowOrigins', 'cors', vsRoute(route({ corsPolicy: { allowOrigins: [{ exact: '' }] } })), 'spec.http[0].corsPolicy.allowOrigins[0]', "'' is not a valid match type for CORS allow origins"],
  ['validateHTTPFaultInjection', 'fault', vsRoute(route({ fault: {} })), 'spec.http[0].fault', 'HTTP fault injection must have an abort and/or a delay'],
  ['validateHTTPFaultInjectionAbort → validatePercentage', 'fault', vsRoute(route({ fault: { abort: { httpStatus: 503, percentage: { value: 0.00001 } } } })), 'spec.http[0].fault.abort.percentage', 'percentage 1e-05 is neither 0.0, nor in range [0.0001, 100.0]'],
  ['validateHTTPStatus', 'fault', vsRoute(route({ fault: { abort: { httpStatus: 199 } } })), 'spec.http[0].fault.abort.httpStatus', 'HTTP status 199 is not in range 200-599'],
  ['validateGRPCStatus', 'fault', vsRoute(route({ fault: { abort: { grpcStatus: 'NOPE' } } })), 'spec.http[0].fault.abort.grpcStatus', `gRPC status "NOPE" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`],
  ['validateHTTPFaultInjectionAbort', 'fault', vsRoute(route({ fault: { abort: { http2Error: 'x' } } })), 'spec.http[0].fault.abort.http2Error', 'HTTP/2 abort fault injection not supported yet'],
  ['validateHTTPFaultInjectionDelay', 'fault', vsRoute(route({ fault: { delay: { exponentialDelay: '1s' } } })), 'spec.http[0].fault.delay.exponentialDelay', 'exponentialDelay not supported yet'],
  ['validateHTTPRoute (mirrorPercent)', 'mirror-percentage', vsRoute(route({ mirror: { host: 'c' }, mirrorPercent: 101 })), 'spec.http[0].mirrorPercent', 'mirror_percent must have a max value of 100 (it has 101)'],
  ['validateHTTPRoute (mirrorPercentage)', 'mirror-percentage', vsRoute(route({ mirror: { host: 'c' }, mirrorPercentage: { value: 150 } })), 'spec.http[0].mirrorPercentage.value', 'mirror_percentage must have a max value of 100 (it has 150.000000)'],
  ['validateHTTPMirrors', 'mirror-percentage', vsRoute(route({ mirrors: [{ destination: { host: 'c' }, percentage: { value: -1 } }] })), 'spec.http[0].mirrors[0].percentage.value', 'mirror percentage must have a min value of 0 (it has -1.000000)'],
  ['validateDestination', 'host', vsRoute({ route: [{ destination: { host: '*' } }] }), 'spec.http[0].route[0].destination.host', 'invalid destination host *'],
  ['validateDestination → ValidateWildcardDomain', 'host', vsRoute({ route: [{ destination: { host: 'catalog..svc' } }] }), 'spec.http[0].route[0].destination.host', 'domain name ".svc" invalid (label "" invalid)'],
  ['validateDestination → ValidateWildcardDomain', 'host', vsRoute({ route: [{ destination: { host: '10.0.0.1' } }] }), 'spec.http[0].route[0].destination.host', 'domain name "0.0.1" invalid (top level domain "1" cannot be all-numeric)'],
  ['validateDestination → validateSubsetName', 'subset-name', vsRoute({ route: [{ destination: { host: 'c', subset: 'v_1' } }] }), 'spec.http[0].route[0].destination.subset', 'subset name is invalid: v_1'],
  ['validateDestination → validatePortSelector', 'port', vsRoute({ route: [{ destination: { host: 'c', port: {} } }] }), 'spec.http[0].route[0].destination.port.number', 'port number 0 must be in the range 1..65535'],
  ['validateDestination (mirror)', 'host', vsRoute(route({ mirror: { host: '' } })), 'spec.http[0].mirror.host', 'empty domain name not allowed'],
  ['validateWeight', 'weight-range', vsRoute({ route: [{ ...dest, weight: -1 }, { ...dest, weight: 101 }] }), 'spec.http[0].route[0].weight', 'weight -1 < 0'],
  ['validateHTTPRouteDestinations', 'weight-total', vsRoute({ route: [{ ...dest, weight: 0 }, { ...dest, weight: 0 }] }), 'spec.http[0].route', 'total destination weight = 0; with several destinations the weights must add up to more than 0'],
  ['validateHTTPRedirect', 'redirect', vsRoute({ redirect: {} }), 'spec.http[0].redirect', 'redirect must specify URI, authority, scheme, or port'],
  ['validateHTTPRedirect', 'redirect', vsRoute({ redirect: { uri: '/', redirectCode: 200 } }), 'spec.http[0].redirect', '200 is not a valid redirect code, must be 3xx'],
  ['validateHTTPRedirect', 'redirect', vsRoute({ redirect: { scheme: 'ftp' } }), 'spec.http[0].redirect', 'invalid redirect scheme, must be "http" or "https"'],
  ['validateHTTPDirectResponse', 'direct-response', vsRoute({ directResponse: { status: 601 } }), 'spec.http[0].directResponse.status', 'HTTP status 601 is not in range 200-599'],
  ['validateHTTPRewrite', 'rewrite', vsRoute(route({ rewrite: {} })), 'spec.http[0].rewrite', 'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified'],
  ['validateHTTPRewrite', 'rewrite', vsRoute(route({ rewrite: { uri: '/a', uriRegexRewrite: { match: 'a', rewrite: 'b' } } })), 'spec.http[0].rewrite', 'rewrite may only contain one of URI or UriRegexRewrite'],
  ['validateURIRegexRewrite', 'rewrite', vsRoute(route({ rewrite: { uriRegexRewrite: { match: 'a' } } })), 'spec.http[0].rewrite.uriRegexRewrite', 'UriRegexRewrite has errors\nUriRegexRewrite requires both Rewrite and Match fields to be specified'],
  ['ValidateVirtualService (JWT claims)', 'jwt-claim-route', vsRoute(route({ match: [{ headers: { '@request.auth.claims.sub': { exact: 'a' } } }] })), 'spec.http[0].match[0].headers.@request.auth.claims.sub', 'JWT claim based routing (key: @request.auth.claims.sub) is only supported for gateway, found no gateways: []'],
  ['ValidateVirtualService (hosts)', 'host', vsWith({ hosts: ['*'], http: [route({})] }), 'spec.hosts[0]', 'wildcard host * is not allowed for virtual services bound to the mesh gateway'],
  ['ValidateVirtualService (duplicate hosts)', 'host', vsWith({ hosts: ['*.example.com', 'a.example.com'], http: [route({})] }), 'spec.hosts[1]', 'duplicate hosts in virtual service: *.example.com & a.example.com'],
  ['ValidateVirtualService', 'routes-required', vsWith({}), 'spec', 'http, tcp or tls must be provided in virtual service'],
  ['ValidateVirtualService (delegate)', 'delegate', vsWith({ hosts: [], gateways: ['ns/gw'], http: [route({})] }), 'spec.gateways', 'delegate virtual service must have no gateways specified'],
  ['validateTCPRoute', 'tcp-route', vsWith({ tcp: [{ match: [{ port: 5432 }] }] }), 'spec.tcp[0].route', 'TCP route is required'],
  ['validateExportTo', 'export-to', vsWith({ http: [route({})], exportTo: ['*', 'ns'] }), 'spec.exportTo', 'cannot have both public (*) and non-public exportTo values for a resource'],
  ['validateExportTo', 'export-to', vsWith({ http: [route({})], exportTo: ['ns', '.'] }), 'spec.exportTo', 'duplicate entries in exportTo: . and current namespace ns'],
  ['ValidateDestinationRule (host)', 'host', drWith({ host: 'a.*' }), 'spec.host', 'domain name "*" invalid (label "*" invalid)'],
  ['ValidateDestinationRule (subsets)', 'subset-unique', drWith({ subsets: [{ name: 'a' }, { name: 'a' }] }), 'spec.subsets[1].name', 'duplicate subset names: a'],
  ['validateSubset → labels.Validate', 'labels', drWith({ subsets: [{ name: 'a', labels: { 'bad key!': 'v' } }] }), 'spec.subsets[0].labels', 'invalid tag key: "bad key!"'],
  ['validateTrafficPolicy', 'traffic-policy', drWith({ trafficPolicy: {} }), 'spec.trafficPolicy', 'traffic policy must have at least one field'],
  ['validateConnectionPool', 'connection-pool', drWith({ trafficPolicy: { connectionPool: {} } }), 'spec.trafficPolicy.connectionPool', 'connection pool must have at least one field'],
  ['validateConnectionPool', 'connection-pool', drWith({ trafficPolicy: { connectionPool: { tcp: { maxConnections: -1 } } } }), 'spec.trafficPolicy.connectionPool.tcp.maxConnections', 'max connections must be non-negative'],
  ['validateOutlierDetection', 'outlier-detection', drWith({ trafficPolicy: { outlierDetection: { maxEjectionPercent: 101 } } }), 'spec.trafficPolicy.outlierDetection.maxEjectionPercent', 'percentage 101 is not in range 0..100'],
  ['validatePortTrafficPolicies', 'traffic-policy', drWith({ trafficPolicy: { portLevelSettings: [{ port: { number: 80 } }] } }), 'spec.trafficPolicy.portLevelSettings[0]', 'port traffic policy must have at least one field'],
];

/** Inputs istiod accepts; a copy stricter than istiod would refuse a user's valid routes. */
export const ACCEPTED: Array<[string, VirtualService | DestinationRule]> = [
  ['retries off without other retry fields', vsRoute(route({ retries: { attempts: 0 } }))],
  ['retryOn with status codes and gRPC policies', vsRoute(route({ retries: { attempts: 3, perTryTimeout: '0.25s', retryOn: '503,5xx,unavailable,retriable-status-codes' } }))],
  ['an empty uri prefix', vsRoute(route({ match: [{ uri: { prefix: '' } }] }))],
  ['pseudo-header matches', vsRoute(route({ match: [{ headers: { ':authority': { regex: 'shop\\..*' }, ':method': { exact: 'GET' } } }] }))],
  ['Unicode classes Go knows, and \\p inside \\Q…\\E or after an escaped backslash', vsRoute(route({ match: [{ headers: { 'x-a': { regex: '\\p{Greek}\\pL\\P{^Lu}[\\p{Han}]\\Q\\p{Old_Italic}\\E\\\\p{Old_Italic}' } } }] }))],
  ['withoutHeaders regex "*" (present)', vsRoute(route({ match: [{ withoutHeaders: { 'x-a': { regex: '*' } } }] }))],
  ['JWT claim routes on a gateway', vsWith({ gateways: ['istio-system/public'], http: [route({ match: [{ headers: { '@request.auth.claims[sub]': { exact: 'a' } } }] })] })],
  ['upper case in a subset name and host', vsRoute({ route: [{ destination: { host: 'Catalog.example.COM', subset: 'V1' } }] })],
  ['a trailing dot in a host', vsRoute({ route: [{ destination: { host: 'catalog.prod.svc.cluster.local.' } }] })],
  ['route: [] beside a redirect', vsRoute({ route: [], redirect: { uri: '/' } })],
  ['authority rewritten once, Host in the request', vsRoute(route({ headers: { request: { set: { host: 'b' } } } }))],
  ['a tcp idle timeout of 0s (disabled)', drWith({ trafficPolicy: { connectionPool: { tcp: { idleTimeout: '0s' } } } })],
  ['an IP host in a mesh VirtualService', vsWith({ hosts: ['10.0.0.1'], http: [route({})] })],
  ['durations in Go spelling', vsRoute(route({ timeout: '1m30s', retries: { attempts: 2, perTryTimeout: '250ms' } }))],
];
