// factory.ts: SharedInformerFactory hands out one informer per resource (and selector) per
// process, so the scheduler, every controller and the agent share caches and watches.
import type { KubeObject } from '../api/meta.js';
import type { Clock } from './clock.js';
import { descriptorKey, type ResourceRef, toDescriptor } from './descriptor.js';
import {
  ControllerUIDIndex,
  indexByControllerUID,
  indexByNamespace,
  indexByNodeName,
  NamespaceIndex,
  NodeNameIndex,
} from './indexers.js';
import { type InformerOptions, SharedIndexInformer, waitForCacheSync } from './informer.js';
import { listWatchFor } from './list_watch.js';
import type { Lister } from './lister.js';
import { defaultLogger, type Logger } from './logger.js';
import { formatSelector, type QuerySelector } from './resource.js';
import type { RestClient } from './rest.js';
import type { Indexers, Keyed } from './store.js';

/** FactoryOptions apply to every informer the factory makes. */
export interface FactoryOptions {
  /** defaultResyncMs is the handlers' resync period (0 = none, the default). */
  defaultResyncMs?: number;
  /** namespace limits every informer to one namespace (default: all). */
  namespace?: string;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  reflector?: InformerOptions<KubeObject>['reflector'];
}

/** InformerRequest narrows or extends one informer. */
export interface InformerRequest<T> {
  indexers?: Indexers<T>;
  labelSelector?: QuerySelector;
  fieldSelector?: QuerySelector;
  namespace?: string;
}

/** SharedInformerFactory makes and starts shared informers. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedIndexInformer<any>>();
  private readonly runs = new Map<SharedIndexInformer<any>, Promise<void>>();
  private readonly logger: Logger;

  constructor(
    private readonly client: RestClient,
    private readonly opts: FactoryOptions = {},
  ) {
    this.logger = opts.logger ?? defaultLogger('informers');
  }

  /**
   * informerFor returns the shared informer of a resource, creating it on first use. Every
   * informer indexes by namespace and controller uid; pod informers also by spec.nodeName.
   */
  informerFor<T extends Keyed = KubeObject>(ref: ResourceRef, req: InformerRequest<T> = {}): SharedIndexInformer<T> {
    const desc = toDescriptor(ref);
    const namespace = req.namespace ?? this.opts.namespace;
    const key = [descriptorKey(desc), namespace ?? '', formatSelector(req.labelSelector) ?? '', formatSelector(req.fieldSelector) ?? ''].join('|');
    let informer = this.informers.get(key) as SharedIndexInformer<T> | undefined;
    if (!informer) {
      let resource = this.client.resource<T>(desc);
      if (namespace && desc.namespaced) resource = resource.namespace(namespace);
      const indexers: Indexers<T> = { [NamespaceIndex]: indexByNamespace, [ControllerUIDIndex]: indexByControllerUID };
      if (desc.group === '' && desc.resource === 'pods') indexers[NodeNameIndex] = indexByNodeName;
      informer = new SharedIndexInformer<T>({
        name: key.replace(/\|+$/, ''),
        listerWatcher: listWatchFor(resource, { labelSelector: req.labelSelector, fieldSelector: req.fieldSelector }),
        indexers,
        resyncPeriodMs: this.opts.defaultResyncMs ?? 0,
        clock: this.opts.clock,
        random: this.opts.random,
        logger: this.logger,
        reflector: this.opts.reflector,
      });
      this.informers.set(key, informer);
    }
    if (req.indexers) informer.addIndexers(req.indexers);
    return informer;
  }

  /** lister is informerFor(ref).lister(). */
  lister<T extends Keyed = KubeObject>(ref: ResourceRef, req: InformerRequest<T> = {}): Lister<T> {
    return this.informerFor<T>(ref, req).lister();
  }

  /** start runs every informer not yet running (call again after asking for more informers). */
  start(signal: AbortSignal): void {
    for (const informer of this.informers.values()) {
      if (this.runs.has(informer)) continue;
      const run = informer.run(signal).catch((err) => this.logger.error({ err, informer: informer.name }, 'informer stopped with an error'));
      this.runs.set(informer, run);
    }
  }

  /** waitForCacheSync waits until every started informer has synced (false if signal aborts first). */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    return waitForCacheSync([...this.runs.keys()], signal);
  }

  /** shutdown resolves once every started informer has stopped (abort the start signal first). */
  async shutdown(): Promise<void> {
    await Promise.all(this.runs.values());
  }
}
