// The kubeconfig input is masked as a whole and credential by credential (the runner masks a
// multi-line secret only as a whole), including an OIDC auth provider's client secret.
import { afterEach, expect, test, vi } from 'vitest';
import { readKubeconfig } from '../../../src/action/inputs.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
users:
- name: oidc
  user:
    auth-provider:
      name: oidc
      config:
        client-id: shop
        client-secret: "s3cr3t-client-value"
        id-token: eyJhbGciOiJSUzI1NiJ9.idtoken
        refresh-token: 'refresh-value-123'
- name: static
  user:
    token: static-token-value
    client-key-data: a2V5LWRhdGE=
`;

afterEach(() => {
  delete process.env.INPUT_KUBECONFIG;
  vi.restoreAllMocks();
});

test('every credential value of the kubeconfig input is masked on its own', async () => {
  process.env.INPUT_KUBECONFIG = KUBECONFIG;
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  expect(await readKubeconfig('kubeconfig')).toBe(KUBECONFIG.trim());
  const masks = out.join('').split('\n').filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
  for (const secret of ['s3cr3t-client-value', 'eyJhbGciOiJSUzI1NiJ9.idtoken', 'refresh-value-123', 'static-token-value', 'a2V5LWRhdGE=']) {
    expect(masks).toContain(secret);
  }
  expect(masks).not.toContain('shop');
});

/** Masks the action would add for `text` given as the kubeconfig input. */
async function masksOf(text: string): Promise<string[]> {
  process.env.INPUT_KUBECONFIG = text;
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  await readKubeconfig('kubeconfig');
  return out.join('').split('\n').filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
}

const SECRETS = ['s3cr3t-client-value', 'eyJhbGciOiJSUzI1NiJ9.idtoken', 'refresh-value-123', 'static-token-value', 'a2V5LWRhdGE=', 'pa55word', 'exec-env-secret'];
const CONFIG = {
  apiVersion: 'v1',
  kind: 'Config',
  users: [
    { name: 'oidc', user: { 'auth-provider': { name: 'oidc', config: { 'client-id': 'shop', 'client-secret': 's3cr3t-client-value', 'id-token': 'eyJhbGciOiJSUzI1NiJ9.idtoken', 'refresh-token': 'refresh-value-123' } } } },
    { name: 'static', user: { token: 'static-token-value', 'client-key-data': 'a2V5LWRhdGE=' } },
    { name: 'basic', user: { username: 'admin', password: 'pa55word' } },
    { name: 'exec', user: { exec: { command: 'get-token', env: [{ name: 'API_KEY', value: 'exec-env-secret' }] } } },
  ],
};

test('a JSON kubeconfig, on one line or pretty, has each credential masked like a YAML one', async () => {
  for (const text of [JSON.stringify(CONFIG), JSON.stringify(CONFIG, null, 2)]) {
    const masks = await masksOf(text);
    for (const secret of SECRETS) expect(masks).toContain(secret);
    expect(masks).not.toContain('shop');
    expect(masks).not.toContain('admin');
    vi.restoreAllMocks();
  }
});

test('a kubeconfig that does not parse still has its credential-looking values masked', async () => {
  const masks = await masksOf('{"users": [{"user": {"token": "broken-json-token", "password": "pw-1"}}');
  expect(masks).toContain('broken-json-token');
  expect(masks).toContain('pw-1');
});
