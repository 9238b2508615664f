// Child process for the last-will test: connects an MQTT output, publishes one message, says "ready" and
// waits to be killed (SIGKILL, so nothing gets to say goodbye and the broker publishes the will).
import { createMqttSink } from '../src/sinks/mqtt/index.js';
import { kaifaMessage, sinkContext } from './sinks-mqtt-support.js';

const [url, stateDir, meter] = process.argv.slice(2);
const sink = createMqttSink(url, sinkContext(stateDir));
await sink.open();
await sink.write([kaifaMessage(meter, 1)]);
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
