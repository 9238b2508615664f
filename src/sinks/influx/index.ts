/** InfluxDB output (`influx://host:8086/db` for 1.x, `influx2://host:8086?org=…&bucket=…&token=…`). */
export { createInfluxSink, type InfluxSinkOptions } from './influx-sink.js';
export { DEFAULT_DATABASE, DEFAULT_PORT, parseInfluxUrl, type InfluxTarget } from './target.js';
export { DEFAULT_MEASUREMENT, linesFor, meterTag, phaseOf, tariffOf } from './points.js';
export { receiveClock } from '../receive-clock.js';
export { escapeKey, escapeMeasurement, formatLine, quoteString, type Point } from './line-protocol.js';
export { outcomeOf, serverMessage, type WriteOutcome } from './responses.js';
