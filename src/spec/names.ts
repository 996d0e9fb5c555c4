// Kubernetes and HTTP naming rules the spec's names must follow.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HEADER_TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** RFC 1123 label, as Kubernetes uses it for namespaces and Istio for subset names. */
export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS_LABEL.test(text);
}

/** RFC 1123 subdomain: Kubernetes object names. */
export function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && text.split('.').every((label) => DNS_LABEL.test(label));
}

/** RFC 7230 token in lowercase: Istio matches header names lowercased. */
export function isLowercaseHeaderName(text: string): boolean {
  return HEADER_TOKEN.test(text);
}

export function isEnvName(text: string): boolean {
  return ENV_NAME.test(text);
}

/** `catalog.istioinaction.svc.cluster.local` → `catalog`. */
export function shortHost(host: string): string {
  return host.split('.')[0]!;
}
