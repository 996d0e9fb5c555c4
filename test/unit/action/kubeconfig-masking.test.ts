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

test('every credential value of the kubeconfig input is masked on its own', () => {
  process.env.INPUT_KUBECONFIG = KUBECONFIG;
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  expect(readKubeconfig('kubeconfig')).toBe(KUBECONFIG.trim());
  const masks = out.join('').split('\n').filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
  for (const secret of ['s3cr3t-client-value', 'eyJhbGciOiJSUzI1NiJ9.idtoken', 'refresh-value-123', 'static-token-value', 'a2V5LWRhdGE=']) {
    expect(masks).toContain(secret);
  }
  expect(masks).not.toContain('shop');
});
