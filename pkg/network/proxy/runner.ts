// runner.ts: drives a ServiceProxy from pkg/client informers. Any Service or EndpointSlice
// event marks the state dirty; one loop syncs the whole desired state at most every
// minIntervalMs (a burst of events costs one iptables-restore), and retries failures.
import type { Service } from '../../api/core/service.js';
import type { EndpointSlice } from '../../api/discovery.js';
import type { SharedInformerFactory } from '../../client/factory.js';
import { waitForCacheSync } from '../../client/informer.js';
import { defaultLogger, type Logger } from '../../client/logger.js';
import { Resources } from '../../client/resources.js';
import type { ServiceProxy } from '../types.js';

/** ProxyRunnerOptions configure runServiceProxy. */
export interface ProxyRunnerOptions {
  informers: SharedInformerFactory;
  proxy: ServiceProxy;
  signal: AbortSignal;
  /** minIntervalMs between two syncs (default 100). */
  minIntervalMs?: number;
  /** retryMs after a failed sync (default 1000). */
  retryMs?: number;
  logger?: Logger;
  /** onSync is told after every successful sync (tests, metrics). */
  onSync?: () => void;
}

/**
 * runServiceProxy syncs the proxy whenever Services or EndpointSlices change, until signal
 * aborts; then it resolves (the rules stay: cleanup is a separate, explicit step).
 */
export async function runServiceProxy(o: ProxyRunnerOptions): Promise<void> {
  const log = o.logger ?? defaultLogger('service-proxy');
  const svcInformer = o.informers.informerFor<Service>(Resources.services);
  const sliceInformer = o.informers.informerFor<EndpointSlice>(Resources.endpointslices);
  let dirty = true;
  let wake: (() => void) | undefined;
  const mark = () => {
    dirty = true;
    wake?.();
  };
  const handler = { onAdd: mark, onUpdate: mark, onDelete: mark };
  svcInformer.addEventHandler(handler);
  sliceInformer.addEventHandler(handler);
  o.informers.start(o.signal);
  if (!(await waitForCacheSync([svcInformer, sliceInformer], o.signal))) return;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      o.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });
  while (!o.signal.aborted) {
    if (!dirty) {
      await new Promise<void>((r) => {
        wake = r;
        o.signal.addEventListener('abort', () => r(), { once: true });
      });
      wake = undefined;
      continue;
    }
    dirty = false;
    try {
      await o.proxy.sync(svcInformer.lister().list(), sliceInformer.lister().list());
      o.onSync?.();
      await sleep(o.minIntervalMs ?? 100);
    } catch (err) {
      log.error({ err }, 'service proxy sync failed');
      dirty = true;
      await sleep(o.retryMs ?? 1000);
    }
  }
}
