import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeconfig, withoutCredentials } from '../../../src/adapters/kubeconfig.ts';
import { InputError } from '../../../src/errors.ts';

const SECRET = 'token-s3cr3t-value';

function kubeconfigText(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: local\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    'users:',
    `- name: admin\n  user:\n    token: ${SECRET}`,
    'contexts:',
    '- name: local\n  context:\n    cluster: local\n    user: admin',
    'current-context: local',
    '',
  ].join('\n');
}

function failure(load: () => unknown): InputError {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeconfig', () => {
  it('prefers the contents given as input, and reports the server without credentials', () => {
    const loaded = loadKubeconfig({ kubeconfig: kubeconfigText('https://user:pw@10.0.0.1:6443/'), kubeconfigPath: '/nonexistent', env: {} });
    expect(loaded.origin).toBe('input kubeconfig');
    expect(loaded.server).toBe('https://10.0.0.1:6443');
  });

  it('reads a path, then KUBECONFIG, then ~/.kube/config', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfigText('https://127.0.0.1:6443'));
    expect(loadKubeconfig({ kubeconfigPath: file, env: {} }).origin).toBe(file);
    expect(loadKubeconfig({ env: { KUBECONFIG: file } }).origin).toBe(`KUBECONFIG (${file})`);
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube', 'config'), kubeconfigText('https://127.0.0.2:6443'));
    expect(loadKubeconfig({ env: {}, home })).toMatchObject({ origin: join(home, '.kube', 'config'), server: 'https://127.0.0.2:6443' });
  });

  it('merges the files listed in KUBECONFIG like kubectl: missing ones skipped, the first current-context wins', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await writeFile(first, kubeconfigText('https://10.0.0.1:6443'));
    await writeFile(second, kubeconfigText('https://10.0.0.2:6443').replaceAll('local', 'remote'));
    const list = [join(dir, 'missing'), first, second].join(delimiter);
    expect(loadKubeconfig({ env: { KUBECONFIG: list } }).server).toBe('https://10.0.0.1:6443');
    expect(loadKubeconfig({ env: { KUBECONFIG: [second, first].join(delimiter) } }).server).toBe('https://10.0.0.2:6443');
  });

  it('rejects contents that are not a kubeconfig without quoting them', () => {
    const error = failure(() => loadKubeconfig({ kubeconfig: `users:\n- name: a\n  user: {token: ${SECRET}\n  : [`, env: {} }));
    expect(error.message).toBe('kubeconfig: input kubeconfig is not a readable kubeconfig: expected YAML with clusters, users and contexts');
    expect(error.message).not.toContain(SECRET);
  });

  it('rejects a kubeconfig without a current context, naming where it came from', async () => {
    const file = join(dir, 'no-context');
    await writeFile(file, kubeconfigText('https://127.0.0.1:6443').replace('current-context: local', ''));
    const error = failure(() => loadKubeconfig({ kubeconfigPath: file, env: {} }));
    expect(error.message).toBe(`${file} current-context: the kubeconfig from ${file} has no current context with a cluster`);
  });

  it('names a missing file', () => {
    const file = join(dir, 'missing');
    expect(failure(() => loadKubeconfig({ kubeconfigPath: file, env: {} })).message).toBe(`${file}: kubeconfig file not found`);
    expect(failure(() => loadKubeconfig({ env: { KUBECONFIG: file } })).message).toBe(`KUBECONFIG: no such file: ${file}`);
  });

  it('says where credentials can come from when there are none', () => {
    expect(failure(() => loadKubeconfig({ env: {}, home: dir })).message).toContain('no cluster credentials found: give the kubeconfig input');
  });
});

describe('withoutCredentials', () => {
  it('drops user, password and query from the server URL', () => {
    expect(withoutCredentials('https://admin:hunter2@example.com:6443/k8s?token=x')).toBe('https://example.com:6443/k8s');
  });
});
