// Istio's name checks (pkg/config/labels, pkg/config/validation/agent): DNS-1123 labels (upper case
// allowed, unlike Kubernetes object names), wildcard domains, ports, label maps. Lengths are Go's
// len(): UTF-8 bytes.
import { q } from './problem.ts';

const DNS1123_LABEL_FMT = '[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const WILDCARD_PREFIX = new RegExp(`^(?:\\*|(?:\\*|\\*-)?${DNS1123_LABEL_FMT})$`);
const QUALIFIED_NAME_FMT = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const DNS_NAME_PREFIX_FMT = `${DNS1123_LABEL_FMT}(?:\\.${DNS1123_LABEL_FMT})*/`;
const TAG = new RegExp(`^(?:${DNS_NAME_PREFIX_FMT})?(?:${QUALIFIED_NAME_FMT})$`);
const LABEL_VALUE = new RegExp(`^(?:${QUALIFIED_NAME_FMT})?$`);
const GO_INT = /^[+-]?[0-9]+$/;
const INT64_MAX = 9223372036854775807n;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** labels.IsDNS1123Label. */
export function isIstioDnsLabel(text: string): boolean {
  return byteLength(text) <= 63 && DNS1123_LABEL.test(text);
}

function isWildcardDnsLabel(text: string): boolean {
  return byteLength(text) <= 63 && WILDCARD_PREFIX.test(text);
}

/** strconv.Atoi succeeds: a decimal integer that fits in int64. */
function isGoInt(text: string): boolean {
  if (!GO_INT.test(text)) return false;
  const n = BigInt(text);
  return n <= INT64_MAX && n >= -INT64_MAX - 1n;
}

function preconditionError(name: string): string | undefined {
  if (byteLength(name) > 255) return `domain name ${q(name)} too long (max 255)`;
  if (name === '') return 'empty domain name not allowed';
  return undefined;
}

function dnsLabelsError(domain: string): string | undefined {
  const parts = domain.split('.');
  const top = parts.at(-1)!;
  if (isGoInt(top)) return `domain name ${q(domain)} invalid (top level domain ${q(top)} cannot be all-numeric)`;
  for (const [i, label] of parts.entries()) {
    if (i === parts.length - 1 && label === '') return undefined; // `istio.io.`
    if (!isIstioDnsLabel(label)) return `domain name ${q(domain)} invalid (label ${q(label)} invalid)`;
  }
  return undefined;
}

/** agent.ValidateWildcardDomain: a wildcard allowed in the first label only. */
export function wildcardDomainError(domain: string): string | undefined {
  const pre = preconditionError(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isWildcardDnsLabel(first)) return `domain name ${q(domain)} invalid (label ${q(first)} invalid)`;
  return dot < 0 ? undefined : dnsLabelsError(domain.slice(dot + 1));
}

/** agent.ValidateFQDN. */
export function fqdnError(name: string): string | undefined {
  return preconditionError(name) ?? dnsLabelsError(name);
}

/** agent.ValidatePort. */
export function portError(port: unknown): string | undefined {
  const n = typeof port === 'number' ? port : 0;
  return n >= 1 && n <= 65535 ? undefined : `port number ${n} must be in the range 1..65535`;
}

/** labels.Instance.Validate. */
export function labelsErrors(labels: unknown): string[] {
  if (typeof labels !== 'object' || labels === null) return [];
  return Object.entries(labels).flatMap(([k, v]) => [
    ...(TAG.test(k) ? [] : [`invalid tag key: ${q(k)}`]),
    ...(typeof v === 'string' && LABEL_VALUE.test(v) ? [] : [`invalid tag value: ${q(String(v))}`]),
  ]);
}
