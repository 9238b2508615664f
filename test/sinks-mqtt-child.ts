// Child process for the last-will test: connects an MQTT output, publishes one message per meter, says "ready"
// and waits to be killed (SIGKILL, so nothing gets to say goodbye and the broker publishes the will).
import { createMqttSink } from '../src/sinks/mqtt/index.js';
import { kaifaMessage, sinkContext } from './sinks-mqtt-support.js';

const [url, stateDir, meters] = process.argv.slice(2);
const sink = createMqttSink(url, sinkContext(stateDir));
await sink.open();
await sink.write(meters.split(',').map((m) => kaifaMessage(m, 1)));
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
