export { createMqttFleetConsumer, type MqttFleetConsumer, type MqttFleetConsumerOptions, type MqttFleetConsumerStats } from './consumer.js';
export { FleetMqttError } from './session-connection.js';
