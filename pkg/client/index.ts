// Package client: Skiff's client-go. REST client, informers (reflector → store → handlers),
// listers, rate-limited work queue, controller runner, leader election, event recorder.
// See README.md for the flow and a glossary.
export * from './backoff.js';
export * from './clock.js';
export * from './controller.js';
export * from './descriptor.js';
export * from './events.js';
export * from './factory.js';
export * from './indexers.js';
export * from './informer.js';
export * from './kubeconfig.js';
export * from './leaderelection.js';
export * from './list_watch.js';
export * from './lister.js';
export * from './logger.js';
export * from './ratelimiter.js';
export * from './reflector.js';
export * from './resource.js';
export * from './resources.js';
export * from './rest.js';
export * from './selector.js';
export * from './store.js';
export * from './watch_stream.js';
export * from './workqueue.js';
export * from './queue_metrics.js';
