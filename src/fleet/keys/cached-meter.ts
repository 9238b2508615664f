/**
 * A decrypted meter as a directory lookup hands it out (the directory caches it packed: meter-table.ts).
 *
 * CachedMeter is a class only for its prototype: `JSON.stringify` and `util.inspect` (console.log, pino's
 * serializers) show "[set]" instead of the keys, so a stray log line cannot carry them; the keys themselves are
 * plain fields (spreading or destructuring works as for any FleetMeter).
 */
import { inspect } from 'node:util';
import type { FleetMeter } from '../contracts.js';
import type { MeterKeys } from './envelope.js';

export class CachedMeter implements FleetMeter {
  meterId: string;
  topicId: string;
  systemTitle?: string;
  profile?: string;
  guek?: Uint8Array;
  gak?: Uint8Array;
  timeZone: string;

  constructor(fields: Omit<FleetMeter, 'guek' | 'gak'>, keys: MeterKeys) {
    this.meterId = fields.meterId;
    this.topicId = fields.topicId;
    if (fields.systemTitle !== undefined) this.systemTitle = fields.systemTitle;
    if (fields.profile !== undefined) this.profile = fields.profile;
    if (keys.guek !== undefined) this.guek = keys.guek;
    if (keys.gak !== undefined) this.gak = keys.gak;
    this.timeZone = fields.timeZone;
  }

  /** What serialisation sees: everything but the keys, which show as "[set]". */
  toJSON(): Record<string, string | undefined> {
    return {
      meterId: this.meterId, topicId: this.topicId, systemTitle: this.systemTitle, profile: this.profile,
      timeZone: this.timeZone, guek: this.guek ? '[set]' : undefined, gak: this.gak ? '[set]' : undefined,
    };
  }

  [inspect.custom](): string {
    return `CachedMeter ${inspect(this.toJSON())}`;
  }
}
