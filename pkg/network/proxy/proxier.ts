// proxier.ts: the iptables service proxy of one node. sync() takes the whole desired state
// (Services and EndpointSlices), computes every chain, and writes only the chains that differ
// from what it wrote last, in one iptables-restore --noflush transaction. After a restart the
// first sync diffs against the kernel instead, so stale chains of a previous run are removed.
import type { Service } from '../../api/core/service.js';
import type { EndpointSlice } from '../../api/discovery.js';
import { execRunner, type Runner } from '../exec.js';
import type { ServiceProxy } from '../types.js';
import { Iptables } from './iptables.js';
import { buildRules, restoreText, type RuleSet, servicePorts } from './rules.js';

/** IptablesProxyOptions configure the proxy. */
export interface IptablesProxyOptions {
  /** netnsPath is the node's network namespace ("" = this process's, the real host). */
  netnsPath?: string;
  run?: Runner;
  /** now is the clock for sync timing (default performance.now). */
  now?: () => number;
}

/** SyncStats describe the last sync. */
export interface SyncStats {
  servicePorts: number;
  endpoints: number;
  changedChains: number;
  durationMs: number;
}

/** IptablesProxy implements ServiceProxy with nat-table DNAT rules. */
export class IptablesProxy implements ServiceProxy {
  private readonly iptables: Iptables;
  private readonly now: () => number;
  private applied?: RuleSet;
  private chain: Promise<unknown> = Promise.resolve();
  /** lastSync describes the most recent successful sync. */
  lastSync?: SyncStats;

  constructor(opts: IptablesProxyOptions = {}) {
    this.iptables = new Iptables(opts.run ?? execRunner, opts.netnsPath ?? '');
    this.now = opts.now ?? (() => performance.now());
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** sync makes the kernel's proxy rules equal to the given objects. */
  sync(services: readonly Service[], endpointSlices: readonly EndpointSlice[]): Promise<void> {
    return this.serialize(async () => {
      const start = this.now();
      const ports = servicePorts(services, endpointSlices);
      const next = buildRules(ports);
      const prev = this.applied ?? (await this.iptables.current());
      const { text, changedChains } = restoreText(prev, next);
      try {
        await this.iptables.restore(text);
      } catch (err) {
        // The kernel may hold something else than we think: diff against it next time.
        this.applied = undefined;
        throw err;
      }
      if (!this.applied) await this.iptables.ensureHooks();
      this.applied = next;
      this.lastSync = {
        servicePorts: ports.length,
        endpoints: ports.reduce((n, p) => n + p.endpoints.length, 0),
        changedChains,
        durationMs: this.now() - start,
      };
    });
  }

  /** cleanup removes the hooks and every chain of the proxy (idempotent). */
  cleanup(): Promise<void> {
    return this.serialize(async () => {
      await this.iptables.removeHooks();
      const current = await this.iptables.current();
      const { text } = restoreText(current, { nat: new Map(), filter: new Map() });
      await this.iptables.restore(text);
      this.applied = undefined;
    });
  }
}
