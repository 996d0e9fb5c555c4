// Stands in for istiod's config ingestion: lists and watches VirtualServices, DestinationRules,
// ServiceEntries and Sidecars (networking.istio.io/v1) cluster-wide. When the API server goes away it
// keeps the last config (as Envoy keeps its last xDS push) and relists once it is back.

import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { DestinationRule, ServiceEntry, Sidecar, VirtualService } from '../../src/istio/types.ts';
import type { MeshConfig } from './mesh-config.ts';

const GROUP = 'networking.istio.io';
const VERSION = 'v1';

interface Listed {
  metadata?: { resourceVersion?: string };
  items: Array<{ metadata: { namespace?: string; name: string } }>;
}

type Log = (message: string) => void;

/** One resource kind: list, then watch from the list's resourceVersion; relist on any end. */
class ResourceWatch<T extends { metadata: { namespace?: string; name: string } }> {
  readonly objects = new Map<string, T>();
  synced = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private readonly kc: KubeConfig;
  private readonly plural: string;
  private readonly onChange: () => void;
  private readonly log: Log;

  constructor(kc: KubeConfig, plural: string, onChange: () => void, log: Log) {
    this.kc = kc;
    this.plural = plural;
    this.onChange = onChange;
    this.log = log;
  }

  async run(): Promise<void> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    let delayMs = 200;
    while (!this.stopped) {
      try {
        const list = (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: this.plural })) as Listed;
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
      const path = `/apis/${GROUP}/${VERSION}/${this.plural}`;
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

  constructor(kc: KubeConfig, onChange: (config: MeshConfig) => void, log: Log) {
    const changed = () => onChange(this.snapshot());
    this.vs = new ResourceWatch(kc, 'virtualservices', changed, log);
    this.dr = new ResourceWatch(kc, 'destinationrules', changed, log);
    this.se = new ResourceWatch(kc, 'serviceentries', changed, log);
    this.sidecars = new ResourceWatch(kc, 'sidecars', changed, log);
  }

  /** True once every kind has been listed at least once. */
  get synced(): boolean {
    return this.vs.synced && this.dr.synced && this.se.synced && this.sidecars.synced;
  }

  snapshot(): MeshConfig {
    return {
      virtualServices: [...this.vs.objects.values()],
      destinationRules: [...this.dr.objects.values()],
      serviceEntries: [...this.se.objects.values()],
      sidecars: [...this.sidecars.objects.values()],
    };
  }

  start(): void {
    for (const w of [this.vs, this.dr, this.se, this.sidecars]) void w.run();
  }

  stop(): void {
    for (const w of [this.vs, this.dr, this.se, this.sidecars]) w.stop();
  }
}
