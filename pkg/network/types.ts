// types.ts: the seams the node agent uses to drive pod networking, the service proxy and
// cluster DNS. The agent depends on these interfaces only (see README.md).
import type { Service } from '../api/core/service.js';
import type { EndpointSlice } from '../api/discovery.js';

/** PodRoute is one route the plugin put into a pod's namespace. */
export interface PodRoute {
  /** dst is a CIDR ("0.0.0.0/0" for the default route). */
  dst: string;
  via: string;
}

/** PodNetworkStatus is what the plugin made for one pod. */
export interface PodNetworkStatus {
  /** netnsPath is the pod's network namespace; give it to the runtime as linux.netns_path. */
  netnsPath: string;
  /** ip is the pod's address (status.podIP). */
  ip: string;
  /** prefixLength of the pod subnet (24 for a /24 node CIDR). */
  prefixLength: number;
  /** gateway is the bridge address on the node, the pod's default route. */
  gateway: string;
  routes: PodRoute[];
  /** interface is the pod-side device name ("eth0"). */
  interface: string;
}

/** SetUpOptions tune one setUp call. */
export interface SetUpOptions {
  /** netnsPath: join this existing namespace instead of creating "<prefix><podKey>". */
  netnsPath?: string;
}

/**
 * PodNetwork gives pod sandboxes their network (idempotent calls; podKey is the pod uid or
 * "namespace/name", whatever the caller keys its pods by).
 */
export interface PodNetwork {
  setUp(podKey: string, opts?: SetUpOptions): Promise<PodNetworkStatus>;
  tearDown(podKey: string): Promise<void>;
  /** list returns the pod keys holding an address (to clean up pods that vanished while down). */
  list(): Promise<string[]>;
}

/** ServiceProxy programs a node's service rules from the cluster's Services and EndpointSlices. */
export interface ServiceProxy {
  /** sync makes the rules equal to these objects (full desired state; incremental apply). */
  sync(services: readonly Service[], endpointSlices: readonly EndpointSlice[]): Promise<void>;
  /** cleanup removes every rule and chain the proxy made. */
  cleanup(): Promise<void>;
}

/** ServiceLister is what cluster DNS reads (a pkg/client Lister fits). */
export interface ObjectLister<T> {
  list(namespace?: string): T[];
  get(namespace: string | undefined, name: string): T | undefined;
}
