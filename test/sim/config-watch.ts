// Stands in for istiod's config ingestion: lists and watches VirtualServices, DestinationRules,
// ServiceEntries and Sidecars (networking.istio.io/v1), HTTPRoutes and Gateways
// (gateway.networking.k8s.io/v1) and ReferenceGrants (v1beta1) cluster-wide, and the mesh config (ConfigMap
// istio in istio-system). When the API server goes away it
// keeps the last config (as Envoy keeps its last xDS push) and relists once it is back.

import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { MeshConfigError, readMeshOutboundConfig } from '../../src/istio/outbound-mode.ts';
import type { DestinationRule, ServiceEntry, Sidecar, VirtualService } from '../../src/istio/types.ts';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import type { KubeGateway, ReferenceGrant } from './gateway-api.ts';
import type { MeshConfig } from './mesh-config.ts';

/** Where istiod's mesh config lives in a default install: ConfigMap istio in istio-system, key mesh. */
export const MESH_CONFIG_NAMESPACE = 'istio-system';
export const MESH_CONFIG_NAME = 'istio';

interface ConfigMapLike {
  metadata: { namespace?: string; name: string; resourceVersion?: string };
  data?: Record<string, string>;
}

const ISTIO = { group: 'networking.istio.io', version: 'v1' };
const GATEWAY_API = { group: 'gateway.networking.k8s.io', version: 'v1' };
// Istio reads ReferenceGrants at v1beta1 (served by every Gateway API release that has them).
const GATEWAY_API_BETA = { group: 'gateway.networking.k8s.io', version: 'v1beta1' };

interface Listed {
  metadata?: { resourceVersion?: string };
  items: Array<{ metadata: { namespace?: string; name: string } }>;
}

type Log = (message: string) => void;

/** What one watch lists and watches: a path and its list call. */
interface Source {
  /** For messages, e.g. `virtualservices`. */
  name: string;
  /** The collection's URL path, e.g. `/apis/networking.istio.io/v1/virtualservices`. */
  path: string;
  list(kc: KubeConfig): Promise<Listed>;
}

/** A custom resource of `api`, cluster-wide. */
function customSource(api: typeof ISTIO, plural: string): Source {
  return {
    name: plural,
    path: `/apis/${api.group}/${api.version}/${plural}`,
    list: async (kc) => (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: api.group, version: api.version, plural })) as Listed,
  };
}

const MESH_CONFIG_SOURCE: Source = {
  name: `configmaps in ${MESH_CONFIG_NAMESPACE}`,
  path: `/api/v1/namespaces/${MESH_CONFIG_NAMESPACE}/configmaps`,
  list: async (kc) => (await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: MESH_CONFIG_NAMESPACE })) as unknown as Listed,
};

/** One resource kind: list, then watch from the list's resourceVersion; relist on any end. */
class ResourceWatch<T extends { metadata: { namespace?: string; name: string } }> {
  readonly objects = new Map<string, T>();
  synced = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private readonly kc: KubeConfig;
  private readonly source: Source;
  private readonly plural: string;
  private readonly onChange: () => void;
  private readonly log: Log;

  constructor(kc: KubeConfig, source: Source, onChange: () => void, log: Log) {
    this.kc = kc;
    this.source = source;
    this.plural = source.name;
    this.onChange = onChange;
    this.log = log;
  }

  async run(): Promise<void> {
    let delayMs = 200;
    while (!this.stopped) {
      try {
        const list = await this.source.list(this.kc);
        this.objects.clear();
        for (const item of list.items) this.objects.set(keyOf(item), item as T);
        this.synced = true;
        this.onChange();
        delayMs = 200;
        let resourceVersion = list.metadata?.resourceVersion ?? '';
        // A quiet watch that closes or times out resumes where it was; anything else relists.
        for (;;) {
          const end = await this.watchFrom(resourceVersion);
          resourceVersion = end.resourceVersion;
          if (this.stopped) return;
          if (!end.resumable) {
            this.log(`${this.plural}: watch ended (${end.reason}); relisting`);
            break;
          }
        }
      } catch (e) {
        if (this.stopped) return;
        this.log(`${this.plural}: list failed (${e instanceof Error ? e.message : String(e)}); retrying in ${delayMs} ms`);
        await new Promise((r) => setTimeout(r, delayMs));
        delayMs = Math.min(delayMs * 2, 5000);
      }
    }
  }

  /** Watch until the stream ends; says whether resuming from the last resourceVersion is safe. */
  private watchFrom(resourceVersion: string): Promise<{ resumable: boolean; reason: string; resourceVersion: string }> {
    let last = resourceVersion;
    return new Promise((resolve) => {
      const end = (resumable: boolean, reason: string) => resolve({ resumable, reason, resourceVersion: last });
      const path = this.source.path;
      new Watch(this.kc)
        .watch(
          path,
          // The server closes the stream before the client's 30 s inactivity timeout would.
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 20 },
          (phase, obj: T & { code?: number; message?: string; metadata?: { resourceVersion?: string } }) => {
            if (phase === 'ERROR') {
              this.abort?.abort();
              end(false, `error ${obj.code ?? ''} ${obj.message ?? ''}`.trim());
              return;
            }
            last = obj.metadata?.resourceVersion ?? last;
            if (phase === 'ADDED' || phase === 'MODIFIED') this.objects.set(keyOf(obj), obj);
            else if (phase === 'DELETED') this.objects.delete(keyOf(obj));
            else return; // BOOKMARK
            this.onChange();
          },
          (err: unknown) => {
            if (!err) end(true, 'closed');
            else if (err instanceof Error && err.name === 'TimeoutError') end(true, 'idle');
            else end(false, err instanceof Error ? err.message : String(err));
          },
        )
        .then(
          (abort) => (this.abort = abort),
          (err: unknown) => end(false, err instanceof Error ? err.message : String(err)),
        );
    });
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}

function keyOf(o: { metadata: { namespace?: string; name: string } }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export class ConfigWatch {
  private readonly vs: ResourceWatch<VirtualService>;
  private readonly dr: ResourceWatch<DestinationRule>;
  private readonly se: ResourceWatch<ServiceEntry>;
  private readonly sidecars: ResourceWatch<Sidecar>;
  private readonly hr: ResourceWatch<HTTPRoute>;
  private readonly gateways: ResourceWatch<KubeGateway>;
  private readonly grants: ResourceWatch<ReferenceGrant>;
  private readonly meshConfig: ResourceWatch<ConfigMapLike>;
  private readonly log: Log;

  constructor(kc: KubeConfig, onChange: (config: MeshConfig) => void, log: Log) {
    const changed = () => onChange(this.snapshot());
    this.log = log;
    this.vs = new ResourceWatch(kc, customSource(ISTIO, 'virtualservices'), changed, log);
    this.dr = new ResourceWatch(kc, customSource(ISTIO, 'destinationrules'), changed, log);
    this.se = new ResourceWatch(kc, customSource(ISTIO, 'serviceentries'), changed, log);
    this.sidecars = new ResourceWatch(kc, customSource(ISTIO, 'sidecars'), changed, log);
    this.hr = new ResourceWatch(kc, customSource(GATEWAY_API, 'httproutes'), changed, log);
    this.gateways = new ResourceWatch(kc, customSource(GATEWAY_API, 'gateways'), changed, log);
    this.grants = new ResourceWatch(kc, customSource(GATEWAY_API_BETA, 'referencegrants'), changed, log);
    this.meshConfig = new ResourceWatch(kc, MESH_CONFIG_SOURCE, changed, log);
  }

  private all(): Array<ResourceWatch<{ metadata: { namespace?: string; name: string } }>> {
    return [this.vs, this.dr, this.se, this.sidecars, this.hr, this.gateways, this.grants, this.meshConfig] as Array<ResourceWatch<{ metadata: { namespace?: string; name: string } }>>;
  }

  /** The mesh config's outbound mode, when the ConfigMap exists and istiod could read it. */
  private outboundMode(): MeshConfig['outboundMode'] {
    const cm = this.meshConfig.objects.get(`${MESH_CONFIG_NAMESPACE}/${MESH_CONFIG_NAME}`);
    if (!cm) return undefined;
    try {
      return readMeshOutboundConfig(cm.data?.mesh ?? '', `ConfigMap ${MESH_CONFIG_NAMESPACE}/${MESH_CONFIG_NAME}`).mode;
    } catch (e) {
      // istiod keeps its last good mesh config; the simulator keeps the world's.
      if (e instanceof MeshConfigError) this.log(e.message);
      return undefined;
    }
  }

  /** True once every kind has been listed at least once. */
  get synced(): boolean {
    return this.all().every((w) => w.synced);
  }

  snapshot(): MeshConfig {
    return {
      virtualServices: [...this.vs.objects.values()],
      destinationRules: [...this.dr.objects.values()],
      serviceEntries: [...this.se.objects.values()],
      sidecars: [...this.sidecars.objects.values()],
      httpRoutes: [...this.hr.objects.values()],
      kubeGateways: [...this.gateways.objects.values()],
      referenceGrants: [...this.grants.objects.values()],
      outboundMode: this.outboundMode(),
    };
  }

  start(): void {
    for (const w of this.all()) void w.run();
  }

  stop(): void {
    for (const w of this.all()) w.stop();
  }
}
