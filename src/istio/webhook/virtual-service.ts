// ValidateVirtualService (istio pkg/config/validation/validation.go): delegate constraints, gateway
// names, JWT-claim routes only on gateways, hosts, duplicate hosts, at least one route list, every
// http and tcp route, exportTo. The unreachable-rule findings (IST0130/IST0131) are warnings, not
// rejections: see src/istio/reachability.ts.
import { checkRouteDestinations } from './destination.ts';
import { isJwtClaimRoute } from './http-names.ts';
import { checkGatewayNames, checkHttpRoute } from './http-route.ts';
import { isIstioDnsLabel, labelsErrors, portError, wildcardDomainError } from './names.ts';
import { entries, Findings, isObject, list, type Json, type RuleProblem } from './problem.ts';
import { isIP } from 'node:net';

const MESH_GATEWAY = 'mesh';

export function virtualServiceProblems(spec: Json, namespace: string): RuleProblem[] {
  const f = new Findings();
  const hosts = list(spec.hosts).map(String);
  const gateways = list(spec.gateways).map(String);
  const delegate = hosts.length === 0;
  if (delegate) {
    if (gateways.length) f.add('delegate', 'spec.gateways', 'delegate virtual service must have no gateways specified');
    if (list(spec.tls).length) f.add('delegate', 'spec.tls', 'delegate virtual service must have no tls route specified');
    if (list(spec.tcp).length) f.add('delegate', 'spec.tcp', 'delegate virtual service must have no tcp route specified');
  }
  checkGatewayNames(f, spec.gateways, 'spec.gateways');
  const appliesToGateway = gateways.length > 0 && !gateways.includes(MESH_GATEWAY);
  if (!appliesToGateway) checkJwtClaimRoutes(f, spec, gateways);
  if (!appliesToGateway) checkMeshHosts(f, hosts);
  if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0) {
    f.add('routes-required', 'spec', 'http, tcp or tls must be provided in virtual service');
  }
  list(spec.http).forEach((r, i) => {
    if (!isObject(r)) {
      f.add('http-route', `spec.http[${i}]`, 'http route may not be null');
      return;
    }
    checkHttpRoute(f, r, `spec.http[${i}]`, delegate);
  });
  for (const [i, r] of list(spec.tcp).entries()) checkTcpRoute(f, r, `spec.tcp[${i}]`);
  checkExportTo(f, spec.exportTo, namespace);
  return f.list;
}

function checkJwtClaimRoutes(f: Findings, spec: Json, gateways: string[]): void {
  list(spec.http).forEach((r, i) => {
    list(isObject(r) ? r.match : undefined).forEach((m, j) => {
      for (const field of ['headers', 'withoutHeaders'] as const) {
        for (const [name] of entries(isObject(m) ? m[field] : undefined)) {
          if (!isJwtClaimRoute(name)) continue;
          f.add('jwt-claim-route', `spec.http[${i}].match[${j}].${field}.${name}`, `JWT claim based routing (key: ${name}) is only supported for gateway, found no gateways: [${gateways.join(' ')}]`);
        }
      }
    });
  });
}

/** Hosts of a VirtualService that programs sidecars (gateway-bound hosts follow other rules, not mirrored). */
function checkMeshHosts(f: Findings, hosts: string[]): void {
  let allValid = true;
  hosts.forEach((h, i) => {
    const error = wildcardDomainError(h);
    if (error !== undefined && isIP(h) === 0) {
      f.add('host', `spec.hosts[${i}]`, error);
      allValid = false;
    } else if (error === undefined && h === '*') {
      f.add('host', `spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
      allValid = false;
    }
  });
  if (!allValid) return;
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsMatch(hosts[i]!, hosts[j]!)) f.add('host', `spec.hosts[${j}]`, `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);
    }
  }
}

/** host.Name.Matches: equal, or one wildcard covers the other. */
function hostsMatch(a: string, b: string): boolean {
  const wa = a.startsWith('*');
  const wb = b.startsWith('*');
  if (wa && wb) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (wa) return b.endsWith(a.slice(1));
  if (wb) return a.endsWith(b.slice(1));
  return a === b;
}

/** validateTCPRoute with validateTCPMatch. */
function checkTcpRoute(f: Findings, r: unknown, path: string): void {
  if (!isObject(r)) return;
  list(r.match).forEach((m, j) => {
    const at = `${path}.match[${j}]`;
    if (!isObject(m)) {
      f.add('tcp-route', at, 'tcp match may not be nil');
      return;
    }
    if (typeof m.port === 'number' && m.port !== 0) f.check('port', `${at}.port`, portError(m.port));
    for (const message of labelsErrors(m.sourceLabels)) f.add('labels', `${at}.sourceLabels`, message);
    checkGatewayNames(f, m.gateways, `${at}.gateways`);
  });
  if (list(r.route).length === 0) f.add('tcp-route', `${path}.route`, 'TCP route is required');
  checkRouteDestinations(f, r.route, `${path}.route`, false);
}

/** validateExportTo for a VirtualService or DestinationRule: no duplicates, `*` alone, namespaces as DNS labels. */
export function checkExportTo(f: Findings, exportTo: unknown, namespace: string): void {
  const entriesList = list(exportTo).map(String);
  if (entriesList.length === 0) return;
  const seen = new Set<string>();
  for (const e of entriesList) {
    const key = e === '.' ? namespace : e;
    if (seen.has(key)) {
      f.add('export-to', 'spec.exportTo', key !== e ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${e}`);
    } else if (key !== '*' && key !== '.' && key !== '~' && !isIstioDnsLabel(key)) {
      f.add('export-to', 'spec.exportTo', `only .,* or a valid DNS 1123 label is allowed as exportTo entry`);
    } else seen.add(key);
  }
  if (seen.has('*') && entriesList.length > 1) f.add('export-to', 'spec.exportTo', 'cannot have both public (*) and non-public exportTo values for a resource');
}
