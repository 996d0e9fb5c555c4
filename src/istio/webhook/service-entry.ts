// ValidateServiceEntry (istio pkg/config/validation/validation.go), the rules that reject: hosts
// (at least one, no `*`, wildcard domains), CIDR addresses only with NONE/STATIC, ports (unique
// names and numbers, DNS-1123 names, known protocols, valid numbers), resolution (DNS and
// DNS_ROUND_ROBIN without endpoints need FQDN hosts), several hosts only on HTTP or TLS ports
// unless NONE, exportTo. Not mirrored: endpoints, workload selectors and DYNAMIC_DNS (never
// written by the canary), and the warnings (partial wildcards, TCP ports without addresses).
import { isIP } from 'node:net';
import { fqdnError, isIstioDnsLabel, portError, wildcardDomainError } from './names.ts';
import { Findings, isObject, list, type Json, type RuleProblem } from './problem.ts';
import { checkExportTo } from './virtual-service.ts';

/** protocol.Parse's known names (case-insensitive); anything else is UnsupportedProtocol. */
const PROTOCOLS = ['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql'];
const HTTP_FAMILY = ['http', 'http2', 'grpc', 'grpc-web', 'http_proxy'];
const TLS_FAMILY = ['https', 'tls'];
const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'];

function addressError(address: string): string | undefined {
  const [ip, bits, extra] = address.split('/');
  const family = isIP(ip ?? '');
  if (family === 0) return `invalid IP address ${address}`;
  if (extra !== undefined) return `invalid CIDR ${address}`;
  if (bits === undefined) return undefined;
  const n = /^[0-9]+$/.test(bits) ? Number(bits) : -1;
  return n >= 0 && n <= (family === 4 ? 32 : 128) ? undefined : `invalid CIDR ${address}`;
}

function checkHosts(f: Findings, hosts: string[]): void {
  if (hosts.length === 0) f.add('se-hosts', 'spec.hosts', 'service entry must have at least one host');
  for (const [i, h] of hosts.entries()) f.check('se-host', `spec.hosts[${i}]`, h === '*' ? `invalid host ${h}` : wildcardDomainError(h));
}

function checkPorts(f: Findings, ports: unknown[]): void {
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (!isObject(p)) {
      f.add('se-port', at, 'service entry port may not be null');
      return;
    }
    const name = typeof p.name === 'string' ? p.name : '';
    const number = typeof p.number === 'number' ? p.number : 0;
    if (names.has(name)) f.add('se-port-name', `${at}.name`, `service entry port name ${JSON.stringify(name)} already defined`);
    names.add(name);
    if (numbers.has(number)) f.add('se-port-number', `${at}.number`, `service entry port ${number} already defined`);
    numbers.add(number);
    if (p.targetPort !== undefined && p.targetPort !== 0) f.check('se-port-number', `${at}.targetPort`, portError(p.targetPort));
    if (!isIstioDnsLabel(name)) f.add('se-port-name', `${at}.name`, `invalid port name: ${name}`);
    const protocol = typeof p.protocol === 'string' ? p.protocol : '';
    if (protocol !== '' && !PROTOCOLS.includes(protocol.toLowerCase())) f.add('se-protocol', `${at}.protocol`, `unsupported protocol: ${protocol}`);
    f.check('se-port-number', `${at}.number`, portError(p.number));
  });
}

export function serviceEntryProblems(spec: Json, namespace: string): RuleProblem[] {
  const f = new Findings();
  const hosts = list(spec.hosts).map(String);
  checkHosts(f, hosts);
  const addresses = list(spec.addresses).map(String);
  for (const [i, a] of addresses.entries()) f.check('se-address', `spec.addresses[${i}]`, addressError(a));
  const resolution = typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
  if (addresses.some((a) => a.includes('/')) && resolution !== 'NONE' && resolution !== 'STATIC') {
    f.add('se-address', 'spec.addresses', 'CIDR addresses are allowed only for NONE/STATIC resolution types');
  }
  const ports = list(spec.ports);
  checkPorts(f, ports);
  if (!RESOLUTIONS.includes(resolution)) f.add('se-resolution', 'spec.resolution', `unsupported resolution type ${resolution}`);
  if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && list(spec.endpoints).length === 0) {
    const bad = hosts.map(fqdnError).find((e) => e !== undefined);
    if (bad) f.add('se-resolution', 'spec.hosts', `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}, ${bad}`);
  }
  if (resolution !== 'NONE' && hosts.length > 1) {
    const opaque = ports.some((p) => isObject(p) && ![...HTTP_FAMILY, ...TLS_FAMILY].includes(String(p.protocol ?? '').toLowerCase()));
    if (opaque) f.add('se-hosts', 'spec.ports', 'multiple hosts provided with non-HTTP, non-TLS ports');
  }
  checkExportTo(f, spec.exportTo, namespace);
  return f.list;
}
