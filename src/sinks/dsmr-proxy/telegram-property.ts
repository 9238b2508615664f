/** The DSMR proxy reads the telegram the core attached to a message (src/core/model/telegram.ts). */
export { attachTelegram, telegramOf } from '../../core/model/telegram.js';
