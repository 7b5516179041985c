// Package network: pod networking (bridge + veth + host-local IPAM, host-gw routes), the
// iptables service proxy, cluster DNS, and the controllers that feed them (EndpointSlices,
// Endpoints, node IPAM). See README.md for the flow, the agent's interface and a glossary.
export * from './cidr.js';
export * from './egress.js';
export * from './exec.js';
export * from './ipam.js';
export * from './netns.js';
export * from './node-ipam.js';
export * from './node-network.js';
export * from './pod-network.js';
export * from './routes.js';
export * from './service-env.js';
export * from './types.js';
export { ClusterZone, DEFAULT_CLUSTER_DOMAIN, type DnsSource, type Lookup } from './dns/records.js';
export { podResolvConf, searchDomains, type ResolvConfOptions } from './dns/resolv-conf.js';
export { type ClusterDns, type ClusterDnsOptions, type DnsListen, startClusterDns } from './dns/server.js';
export { EndpointsController, registerEndpoints } from './endpoints/endpoints.js';
export { CONTROLLER_NAME as ENDPOINTSLICE_CONTROLLER_NAME, EndpointSliceController, register as registerEndpointSlices } from './endpoints/endpointslice.js';
export { IptablesProxy, type IptablesProxyOptions, type SyncStats } from './proxy/proxier.js';
export { type ProxyRunnerOptions, runServiceProxy } from './proxy/runner.js';
