// Where the cluster credentials come from, in order: the kubeconfig contents given as input, a
// kubeconfig path, $KUBECONFIG or ~/.kube/config, and finally the pod's service account. A bad
// kubeconfig is an InputError naming where it came from; its contents are never put in a message.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../errors.ts';

export interface KubeconfigSource {
  /** Kubeconfig file contents (e.g. the action input; the caller masks it as a secret). */
  kubeconfig?: string;
  kubeconfigPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Home directory for ~/.kube/config; default the user's. */
  home?: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface LoadedKubeconfig {
  kc: KubeConfig;
  /** Where it came from, for messages: `input kubeconfig`, a path, or `in-cluster service account`. */
  origin: string;
  /** The API server URL without credentials. */
  server: string;
}

export function loadKubeconfig(source: KubeconfigSource = {}): LoadedKubeconfig {
  const env = source.env ?? process.env;
  const kc = new KubeConfig();
  let origin: string;
  if (source.kubeconfig !== undefined && source.kubeconfig.trim() !== '') {
    origin = 'input kubeconfig';
    attempt(origin, () => kc.loadFromString(source.kubeconfig!), { path: 'kubeconfig' });
  } else if (source.kubeconfigPath) {
    origin = source.kubeconfigPath;
    loadFile(kc, source.kubeconfigPath);
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '');
    origin = `KUBECONFIG (${files.join(delimiter)})`;
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length === files.length) throw new InputError({ path: 'KUBECONFIG', message: `no such file: ${missing.join(', ')}` });
    // Like kubectl: missing files are skipped, the first file's current-context wins.
    const [first, ...rest] = files.filter((f) => existsSync(f));
    loadFile(kc, first!);
    for (const file of rest) {
      const other = new KubeConfig();
      loadFile(other, file);
      mergeFirstWins(kc, other);
    }
  } else if (existsSync(join(source.home ?? homedir(), '.kube', 'config'))) {
    origin = join(source.home ?? homedir(), '.kube', 'config');
    loadFile(kc, origin);
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    origin = 'in-cluster service account';
    kc.loadFromCluster();
  } else {
    throw new InputError({
      path: 'kubeconfig',
      message: 'no cluster credentials found: give the kubeconfig input (contents), --kubeconfig PATH, set KUBECONFIG, or run inside the cluster',
    });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError({ ...(origin.startsWith('/') ? { file: origin } : {}), path: 'current-context', message: `the kubeconfig from ${origin} has no current context with a cluster` });
  return { kc, origin, server: withoutCredentials(cluster.server) };
}

function loadFile(kc: KubeConfig, file: string): void {
  if (!existsSync(file)) throw new InputError({ file, path: '', message: 'kubeconfig file not found' });
  attempt(file, () => kc.loadFromFile(file), { file, path: '' });
}

/** kubectl's merge: an entry (cluster, user, context, current-context) already set is kept. */
function mergeFirstWins(kc: KubeConfig, other: KubeConfig): void {
  const has = (list: Array<{ name: string }>, name: string) => list.some((item) => item.name === name);
  for (const cluster of other.clusters) if (!has(kc.clusters, cluster.name)) kc.addCluster(cluster);
  for (const user of other.users) if (!has(kc.users, user.name)) kc.addUser(user);
  for (const context of other.contexts) if (!has(kc.contexts, context.name)) kc.addContext(context);
  if (!kc.currentContext) kc.setCurrentContext(other.currentContext);
}

/** Runs a load and turns its failure into an InputError that names the origin and says what is
 * wrong in general terms: parser messages can quote the file, and the file holds secrets. */
function attempt(origin: string, load: () => void, where: { file?: string; path: string }): void {
  try {
    load();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const detail = typeof code === 'string' ? ` (${code})` : '';
    throw new InputError({ ...where, message: `${origin} is not a readable kubeconfig${detail}: expected YAML with clusters, users and contexts` });
  }
}

/** The server URL as it may appear in messages: no user, password or query. */
export function withoutCredentials(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.href.replace(/\/$/, '');
  } catch {
    return '(unparseable server URL)';
  }
}
