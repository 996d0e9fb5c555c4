// The credentials in a kubeconfig's text, for masking each on its own. Apart from kubeconfig.ts so
// the action can mask its input without loading @kubernetes/client-node (most of its start-up time).
import { parse as parseYaml } from 'yaml';

/** Keys whose values are credentials wherever they appear under a user (token, key data, an auth
 * provider's config, a password...). */
const CREDENTIAL_KEYS = new Set(['token', 'client-key-data', 'client-certificate-data', 'password', 'id-token', 'refresh-token', 'access-token', 'client-secret']);
/** The same keys as a fallback for a kubeconfig that does not parse: `key: value` (YAML) or `"key": "value"` (JSON). */
const CREDENTIAL_TEXT = /["']?(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token|client-secret)["']?\s*:\s*["']?([^\s"',}]+)/g;

/**
 * Every credential value in a kubeconfig's text, YAML or JSON alike (JSON is YAML), so each can be
 * masked on its own: the runner masks a multi-line secret only as a whole, and a JSON kubeconfig is
 * often one line. Also each line of a multi-line value, and the values of an exec plugin's env.
 */
export function kubeconfigCredentials(text: string): string[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    data = undefined;
  }
  const found = new Set<string>();
  const add = (value: string) => {
    for (const part of [value, ...value.split(/\r?\n/)]) if (part.trim() !== '') found.add(part.trim());
  };
  const walk = (node: unknown, key?: string): void => {
    if (typeof node === 'string' && key !== undefined && CREDENTIAL_KEYS.has(key)) add(node);
    else if (Array.isArray(node)) for (const item of node) walk(item, key === 'env' ? 'env' : undefined);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (key === 'env' && typeof record.value === 'string') add(record.value);
      for (const [k, v] of Object.entries(record)) walk(v, k);
    }
  };
  walk(data);
  // A text that does not parse is still masked by its credential-looking pairs.
  for (const match of text.matchAll(CREDENTIAL_TEXT)) add(match[2]!);
  return [...found];
}
