// queue_metrics.ts: the work queue's Prometheus metrics (client-go's names), labelled by queue
// name. Queues sharing a registry share the metric objects.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** QueueMetrics are the instruments one queue updates. */
export interface QueueMetrics {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  queueDuration: Histogram<'name'>;
  workDuration: Histogram<'name'>;
  retries: Counter<'name'>;
}

const buckets = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10];

function getOrCreate<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** queueMetrics returns (registering on first use) the work queue metrics in registry. */
export function queueMetrics(registry: Registry): QueueMetrics {
  const registers = [registry];
  return {
    depth: getOrCreate(registry, 'workqueue_depth', () => new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers })),
    adds: getOrCreate(registry, 'workqueue_adds_total', () => new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers })),
    queueDuration: getOrCreate(registry, 'workqueue_queue_duration_seconds', () =>
      new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets, registers }),
    ),
    workDuration: getOrCreate(registry, 'workqueue_work_duration_seconds', () =>
      new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], buckets, registers }),
    ),
    retries: getOrCreate(registry, 'workqueue_retries_total', () => new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers })),
  };
}
