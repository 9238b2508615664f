/**
 * Which time zone a meter's local hours, days and months are cut in: the sink's `?tz=` when given, else the zone
 * of the meter's profile (profiles name the zone of the meter's own clock), else the machine's zone.
 */
import type { MeterMessage } from '../../core/model/message.js';
import { getProfile } from '../../core/profiles/builtin.js';
import { checkTimeZone, machineTimeZone } from './local-time.js';

export type ZoneOfProfile = (profileId: string | null | undefined) => string;

export function createZoneResolver(configured?: string): ZoneOfProfile {
  const fixed = configured === undefined ? undefined : checkTimeZone(configured);
  const fallback = machineTimeZone();
  return (profileId) => fixed ?? (profileId ? getProfile(profileId)?.timezone : undefined) ?? fallback;
}

export function zoneOfMessage(resolve: ZoneOfProfile): (m: MeterMessage) => string {
  return (m) => resolve(m.meter.profile);
}
