/** Prometheus exporter sink (`prometheus://host:port[/path]`). */
export { createPrometheusSink, type PrometheusSink } from './prometheus-sink.js';
export { createMeterMetrics, meterLabel, type MeterMetrics } from './metrics.js';
