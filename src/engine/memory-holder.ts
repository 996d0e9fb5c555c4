// The in-memory twin of the holder port: one record per canary with a version that every write
// bumps, refused like the API server refuses a Lease update on a stale resourceVersion.
import type { HolderPort, HolderRecord } from '../core/ports.ts';
import type { Holder } from '../core/state.ts';
import { ConflictError } from '../errors.ts';

export class MemoryHolders implements HolderPort {
  readonly #records = new Map<string, { holder?: Holder; version: string }>();
  #revision = 0;
  /** Every write that was stored, in order (for assertions on how often the holder is written). */
  readonly writes: Array<{ namespace: string; canary: string; holder?: Holder }> = [];

  async read(namespace: string, canary: string): Promise<HolderRecord> {
    return this.peek(namespace, canary);
  }

  /** The record, synchronously (for assertions). */
  peek(namespace: string, canary: string): HolderRecord {
    const found = this.#records.get(`${namespace}/${canary}`);
    return found ? structuredClone(found) : {};
  }

  async write(namespace: string, canary: string, holder: Holder | undefined, version: string | undefined): Promise<HolderRecord> {
    const key = `${namespace}/${canary}`;
    const live = this.#records.get(key);
    if (live?.version !== version) {
      throw new ConflictError(`holder of ${key}: the record has been modified (version ${version ?? 'none'}, stored ${live?.version ?? 'none'})`, { status: 409 });
    }
    this.#revision += 1;
    const stored = { ...(holder ? { holder: structuredClone(holder) } : {}), version: String(this.#revision) };
    this.#records.set(key, stored);
    this.writes.push({ namespace, canary, ...(holder ? { holder: structuredClone(holder) } : {}) });
    return structuredClone(stored);
  }
}
