/**
 * Encodes one simulated meter message for a profile: values from the meter model, the profile's body shape or
 * DSMR telegram, the security envelope, and the link layer with the quirks of the real meters (recipes.ts).
 * The same code makes the project's own test fixtures and drives `meterwire simulate`.
 */
import { MeterError } from '../core/errors.js';
import { encodeDsmrTelegram } from '../core/dsmr/format-telegram.js';
import { buildNotificationBody, type BodyReading } from '../core/dlms/encode-notification-body.js';
import { encodeDataNotification } from '../core/dlms/encode-data-notification.js';
import { encodeGeneralGloCipher } from '../core/security/encode-glo-cipher.js';
import { encodeMbusFrames } from '../core/framing/encode-mbus.js';
import { encodeHdlcFrames } from '../core/framing/encode-hdlc.js';
import { encodeGbtBlocks } from '../core/framing/encode-gbt.js';
import { centralEuropeanOffsetMinutes } from '../core/dlms/calendar.js';
import type { CosemDateTime } from '../core/dlms/types.js';
import type { AesGcm } from '../core/security/aes-gcm.js';
import type { Profile } from '../core/profiles/types.js';
import type { RawReading } from '../core/model/message.js';
import type { MeterState } from './meter-model.js';
import { stateValue } from './state-values.js';
import { SIM_RECIPES, type SimField, type SimRecipe } from './recipes.js';

export interface SimFrameOptions {
  profile: Profile;
  aes: AesGcm;
  key?: Uint8Array;
  authKey?: Uint8Array;
  frameCounter: number;
  /** Another meter of the same family (fleet simulator): its own meter number; default the profile's recipe. */
  recipe?: SimRecipe;
  /** The meter's own system title; default the one derived from the recipe. */
  systemTitle?: Uint8Array;
}

/** What the meter sends for a code in a unit at a scaler; undefined = it has no such quantity. */
export type SimValueOf = (obis: string, unit: string | undefined, scaler: number) => number | undefined;

export function simulatedProfiles(): string[] {
  return Object.keys(SIM_RECIPES);
}

export function recipeFor(profileId: string): SimRecipe {
  const r = SIM_RECIPES[profileId];
  if (!r) {
    throw new MeterError('UNKNOWN_PROFILE', 'config',
      `the simulator cannot play profile "${profileId}"; it plays: ${simulatedProfiles().join(', ')}`);
  }
  return r;
}

/** System title: three ASCII manufacturer letters and five bytes of serial, as real meters build it. */
export function systemTitleFor(recipe: SimRecipe): Uint8Array {
  const st = new Uint8Array(8);
  for (let i = 0; i < 3; i++) st[i] = recipe.manufacturer.charCodeAt(i);
  const digits = recipe.meterNumber.replace(/\D/g, '').padStart(10, '0').slice(-10);
  for (let i = 0; i < 5; i++) st[3 + i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return st;
}

/** Meter-local Central European wall clock as COSEM date-time, with deviation and DST status like AT meters. */
export function cosemNow(ms: number): CosemDateTime {
  const utc = new Date(ms);
  const probe = { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate(), hour: utc.getUTCHours(), minute: 0, second: 0 };
  const offset = centralEuropeanOffsetMinutes(probe);
  const local = new Date(ms + offset * 60_000);
  return {
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), dayOfWeek: ((local.getUTCDay() + 6) % 7) + 1,
    hour: local.getUTCHours(), minute: local.getUTCMinutes(), second: local.getUTCSeconds(), hundredths: 0,
    deviation: -offset, clockStatus: offset === 120 ? 0x80 : 0x00,
  };
}

function bodyReadings(valueOf: SimValueOf, recipe: SimRecipe, fields: readonly SimField[]): BodyReading[] {
  const out: BodyReading[] = [];
  for (const f of fields) {
    const value = valueOf(f.obis, f.unit, f.scaler ?? 0);
    if (value !== undefined) out.push({ obis: f.obis, value, scaler: f.scaler ?? 0, unit: f.unit, type: f.type });
  }
  for (const [obis, text] of Object.entries(recipe.texts ?? {})) out.push({ obis, value: text });
  return out;
}

function dsmrTelegram(valueOf: SimValueOf, timeMs: number, recipe: SimRecipe): Uint8Array {
  const readings: RawReading[] = [{ obis: recipe.dsmrIdObis ?? '0-0:96.1.1', value: recipe.meterNumber }];
  for (const f of recipe.dsmrFields ?? []) {
    const v = valueOf(f.obis, f.unit, f.scaler ?? 0);
    if (v !== undefined) readings.push(f.unit ? { obis: f.obis, value: v, unit: f.unit } : { obis: f.obis, value: v });
  }
  const text = encodeDsmrTelegram(readings, { header: recipe.dsmrHeader ?? 'XXX5\\SIM', timestamp: new Date(timeMs).toISOString(), version: '50' });
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function dlmsNotification(valueOf: SimValueOf, timeMs: number, recipe: SimRecipe, profile: Profile, frameCounter: number): Uint8Array {
  const dateTime = cosemNow(timeMs);
  if (recipe.elements !== undefined) {
    const layout = profile.layouts?.find((l) => l.elements === recipe.elements);
    if (!layout) throw new MeterError('UNKNOWN_LAYOUT', 'profile', `profile ${profile.id} has no layout of ${recipe.elements} elements`);
    // The layout's declared A-XDR types decide the encoding (notification-body.ts), not the recipe.
    const fields = layout.fields.filter((f) => !f.role && !f.skip && !(recipe.texts && f.obis in recipe.texts))
      .map((f): SimField => ({ obis: f.obis, scaler: f.scaler, unit: f.unit }));
    const body = buildNotificationBody('positional', bodyReadings(valueOf, recipe, fields), { layout, dateTime, meterNumber: recipe.meterNumber });
    return encodeDataNotification({ invokeId: frameCounter, dateTime, body, dateTimeTagQuirk: recipe.dateTimeTagQuirk });
  }
  const body = buildNotificationBody(recipe.body ?? 'obis-structures', bodyReadings(valueOf, recipe, recipe.fields ?? []),
    { dateTime, meterNumber: recipe.sendMeterNumber ? recipe.meterNumber : undefined });
  return encodeDataNotification({ invokeId: frameCounter, dateTime, body, dateTimeTagQuirk: recipe.dateTimeTagQuirk });
}

function secure(plaintext: Uint8Array, recipe: SimRecipe, o: SimFrameOptions): Uint8Array {
  const sc = recipe.securityControl;
  if (sc === undefined) return plaintext;
  if (!o.key) throw new MeterError('BAD_CONFIG', 'config', `profile ${o.profile.id} encrypts: the simulator needs a key`);
  const authKey = (sc & 0x10) ? o.authKey ?? new Uint8Array(16) : undefined;
  return encodeGeneralGloCipher(plaintext, { systemTitle: o.systemTitle ?? systemTitleFor(recipe), securityControl: sc,
    invocationCounter: o.frameCounter >>> 0, key: o.key, authKey }, o.aes);
}

/** The APDU or DSMR telegram before the security envelope: the values from `valueOf`, the clock at `timeMs`. */
export function encodeSimulatedPlaintext(valueOf: SimValueOf, timeMs: number, o: SimFrameOptions): Uint8Array {
  const recipe = o.recipe ?? recipeFor(o.profile.id);
  return recipe.dsmrFields ? dsmrTelegram(valueOf, timeMs, recipe) : dlmsNotification(valueOf, timeMs, recipe, o.profile, o.frameCounter);
}

/** The security envelope (when the family encrypts) and the link layer around a plaintext. */
export function protectAndFrame(plain: Uint8Array, o: SimFrameOptions): Uint8Array {
  const recipe = o.recipe ?? recipeFor(o.profile.id);
  const apdu = secure(plain, recipe, o);
  switch (o.profile.framing) {
    case 'dsmr': case 'apdu': return apdu;
    case 'mbus': return encodeMbusFrames(apdu, recipe.mbus);
    case 'hdlc': return encodeHdlcFrames(recipe.gbtBlockSize ? encodeGbtBlocks(apdu, recipe.gbtBlockSize) : apdu, recipe.hdlc);
  }
}

/** One message of the simulated meter, as the bytes that would arrive on its customer interface. */
export function encodeSimulatedFrame(state: MeterState, o: SimFrameOptions): Uint8Array {
  const valueOf: SimValueOf = (obis, unit, scaler) => stateValue(state, obis, unit, scaler);
  return protectAndFrame(encodeSimulatedPlaintext(valueOf, state.timeMs, o), o);
}
