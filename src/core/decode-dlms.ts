/**
 * DLMS stage: a plaintext data-notification (IEC 62056-5-3 §9.3) → profile → readings → one message. The profile
 * is chosen from what the body shows about itself (element count, OBIS codes, the type of every element of a
 * positional list); a forced profile that does not fit the meter is said so in an issue, and a positional list
 * that fits no layout is LAYOUT_MISMATCH, never values on the wrong codes.
 */
import { bytesToHex } from './bytes/hex.js';
import { MeterError } from './errors.js';
import { decodeDataNotification } from './dlms/data-notification.js';
import { interpretNotification } from './dlms/payload.js';
import { describeMismatch, layoutFor } from './dlms/layout-check.js';
import type { DlmsValue } from './dlms/types.js';
import { describedObjects, pushSetupName } from './dlms/payload-described.js';
import { formatObis } from './obis/obis.js';
import { buildMessage, finishReadings } from './model/build-message.js';
import { meterInfo, type MessageFormat, type MessageIssue, type MeterMessage, type Reading } from './model/message.js';
import type { Profile } from './profiles/types.js';
import type { MessageHints } from './profile-chooser.js';
import type { DecodeConfig, DecodeState } from './decode-config.js';
import type { UnitEnvelope } from './decode-envelope-info.js';

function isObisOctets(v: DlmsValue | undefined): boolean {
  return v !== undefined && v.type === 'octet-string' && v.bytes.length === 6;
}

/** One-element type lists, so hints carry the first element's type without an array per message. */
const FIRST_TYPES: Readonly<Record<string, string[]>> = Object.fromEntries(['null', 'array', 'structure', 'boolean',
  'bit-string', 'integer', 'enum', 'float', 'octet-string', 'visible-string', 'utf8-string', 'bcd', 'date-time', 'date',
  'time', 'compact-array'].map((t) => [t, [t]]));

/**
 * The hints of a message for profile selection: framing and manufacturer from the envelope, and what the body
 * shows about itself (element count, OBIS codes, its elements, a self-describing object list), in one object.
 */
export function messageHints(format: MessageHints['format'], manufacturer: string | undefined, body: DlmsValue,
  attributeList: boolean): MessageHints {
  const h: MessageHints = { format, manufacturer, attributeList };
  if (body.type !== 'structure' && body.type !== 'array') return h;
  const items = body.items;
  h.elements = items.length;
  const described = describedObjects(items);
  if (described) {
    const ps = pushSetupName(described);
    h.hasObis = true;
    h.selfDescribing = true;
    if (ps) h.pushSetup = formatObis(ps);
    return h;
  }
  let hasObis = false;
  for (let i = 0; i < items.length && !hasObis; i++) {
    const it = items[i];
    hasObis = (isObisOctets(it) && i + 1 < items.length && items[i + 1].type !== 'octet-string') ||
      ((it.type === 'structure' || it.type === 'array') && isObisOctets(it.items[0]));
  }
  h.hasObis = hasObis;
  h.firstElementTypes = items.length ? FIRST_TYPES[items[0].type] : [];
  h.items = items;
  h.selfDescribing = false;
  return h;
}

/** Profiles that decode alike (the Kundenschnittstelle West operators share one configuration). */
function equivalent(a: Profile, b: Profile): boolean {
  return a === b || (a.payload === b.payload && a.layouts === b.layouts && a.scalers === b.scalers &&
    JSON.stringify(a.layouts) === JSON.stringify(b.layouts) && JSON.stringify(a.scalers) === JSON.stringify(b.scalers));
}

/** A forced profile the message does not look like gets an issue naming the one it looks like. */
function forcedProfileIssue(config: DecodeConfig, auto: Profile | undefined): MessageIssue | undefined {
  const forced = config.profile;
  if (!forced || !auto || equivalent(forced, auto)) return undefined;
  return { code: 'PROFILE_MISMATCH', message: `profile ${forced.id} was given, but this message looks like ${auto.id} ` +
    `(${auto.meter}, ${auto.operator}): check --profile` };
}

/** Without a fitting profile, a positional list whose count some candidate knows is that candidate's mismatch. */
function nearMiss(state: DecodeState, hints: MessageHints): MeterError | undefined {
  if (hints.hasObis !== false || hints.items === undefined || hints.elements === undefined) return undefined;
  const { items: _items, ...rest } = hints;
  const candidate = state.chooser.auto(rest);
  const mismatch = candidate && layoutFor(candidate.layouts, hints.items)?.mismatch;
  if (!candidate || !mismatch) return undefined;
  return new MeterError('LAYOUT_MISMATCH', 'profile', `the list of ${hints.elements} elements looks like profile ` +
    `${candidate.id} by its count but does not fit its layout: ${describeMismatch(mismatch, hints.elements)}; no value ` +
    'of this list is delivered (report the meter with a capture, or pass a profile file with its layout)', mismatch.index);
}

export function decodeDlmsNotification(apdu: Uint8Array, format: MessageFormat, config: DecodeConfig, state: DecodeState,
  env: UnitEnvelope): MeterMessage {
  const n = decodeDataNotification(apdu);
  const hints = messageHints(format === 'dsmr' ? undefined : format, env.meter.manufacturer, n.body, n.attributeList === true);
  const auto = state.chooser.auto(hints);
  const profile = config.profile ?? auto;
  if (!profile) {
    const miss = nearMiss(state, hints);
    if (miss) throw miss;
  }
  const fitted = profile === auto && hints.items ? state.chooser.fitted(hints.items) : undefined;
  const result = interpretNotification(n.body, { profile, headerDateTime: n.dateTime, factory: state.factory, fitted });
  const forced = forcedProfileIssue(config, auto);
  if (forced) result.issues.push(forced);
  const meter = meterInfo(result.meterId ?? env.meter.systemTitle, env.meter.systemTitle, env.meter.manufacturer, profile?.id);
  const readings = finishReadings(result.readings as Reading[], env.quality, state.factory, result.issues);
  const msg = buildMessage({ meter, timestamp: result.timestamp, format, security: env.security, readings, issues: result.issues });
  if (config.includeApdu) (msg as MeterMessage & { apdu?: string }).apdu = bytesToHex(apdu);
  return msg;
}
