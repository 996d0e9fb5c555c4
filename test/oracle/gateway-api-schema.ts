// The Gateway API's own schema as a judge: a private API server (the same apiextensions-apiserver
// the local mesh runs) serving the Gateway API CRDs the mesh serves (test/env/gateway-api-crds.ts:
// openapi schema, defaults and CEL rules), asked to dry-run create an object: its refusal, or the
// object with the defaults the API server fills in (what Istio's controller then reads). Nothing is stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ensureApiserverBinary, startApiserver } from '../env/apiserver.ts';
import { loadGatewayApiCrds } from '../env/gateway-api-crds.ts';
import { applyCrds } from '../env/module-crds.ts';
import { stopRecorded } from '../env/process.ts';

const PLURALS: Record<string, string> = { HTTPRoute: 'httproutes', Gateway: 'gateways', ReferenceGrant: 'referencegrants' };

interface NamespacedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
}

export class GatewayApiSchema {
  private readonly kc: KubeConfig;
  private readonly dir: string;
  private readonly pidFile: string;

  private constructor(kc: KubeConfig, dir: string, pidFile: string) {
    this.kc = kc;
    this.dir = dir;
    this.pidFile = pidFile;
  }

  static async start(): Promise<GatewayApiSchema> {
    const binary = await ensureApiserverBinary();
    const dir = mkdtempSync(join(tmpdir(), 'gateway-api-schema-'));
    const paths = { dataDir: join(dir, 'data'), logFile: join(dir, 'apiserver.log'), pidFile: join(dir, 'apiserver.json') };
    try {
      const server = await startApiserver(binary, paths, 120_000);
      const kc = new KubeConfig();
      kc.loadFromFile(server.kubeconfig);
      await applyCrds(kc, await loadGatewayApiCrds(), 120_000);
      return new GatewayApiSchema(kc, dir, paths.pidFile);
    } catch (e) {
      await stopRecorded(paths.pidFile);
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * The object as the API server would store it (dry run: schema defaults filled in, its metadata
   * kept as given, in `namespace`), or the API server's refusal.
   */
  async stored<T extends NamespacedObject>(object: T, namespace: string): Promise<{ object: T } | { refusal: string }> {
    const [group, version] = object.apiVersion.split('/');
    const plural = PLURALS[object.kind];
    if (plural === undefined) throw new Error(`no schema check for kind ${object.kind}`);
    const { resourceVersion: _rv, creationTimestamp: _ct, uid: _uid, generation: _g, managedFields: _mf, ...metadata } = object.metadata;
    const body = { ...object, metadata: { ...metadata, namespace } };
    try {
      const created = (await this.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: group!, version: version!, namespace, plural, body, dryRun: 'All', fieldValidation: 'Strict' })) as T;
      return { object: { ...created, metadata: { ...object.metadata, namespace } } };
    } catch (e) {
      if (!(e instanceof ApiException)) throw e;
      const status = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { message?: string };
      return { refusal: status.message ?? String(e.body) };
    }
  }

  async stop(): Promise<void> {
    await stopRecorded(this.pidFile);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
