/** DSMR telegram proxy sink (`dsmr-tcp://host:port`). */
export { createDsmrProxySink, dsmrTelegramFor, type DsmrProxySink } from './dsmr-proxy-sink.js';
export { attachTelegram, telegramOf } from './telegram-property.js';
export { synthesizeDsmrTelegram } from './synthesize-telegram.js';
export { DSMR_SPECS, DEFAULT_DSMR_SPEC, type DsmrSpec } from './dsmr-spec.js';
