/**
 * Key diagnosis: for each frame, what it is (framing, security control, system title, counter) and what each
 * key combination does (as given, without the GAK, swapped, with Luxembourg's published default GAK), ending in
 * one line that says what to do. Keys are never printed.
 */
import { MeterError } from '../core/errors.js';
import { bytesToHex } from '../core/bytes/hex.js';
import { decodeGeneralGloCipher, openGeneralGloCipher, isPlausiblePlaintext, type CipheredApdu } from '../core/security/glo-cipher.js';
import { manufacturerFromSystemTitle } from '../core/profiles/select.js';
import { decodeFrameEvent } from '../core/pipeline.js';
import { createDecodeConfig, createDecodeState } from '../core/decode-config.js';
import type { FrameEvent } from '../core/framing/types.js';
import type { AesGcm } from '../core/security/aes-gcm.js';
import type { MeterMessage } from '../core/model/message.js';

/** The GAK every Luxembourg Smarty meter uses (published by the operators; the AAD is 30 ‖ this). */
const LUX_DEFAULT_GAK = Uint8Array.from(Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex'));

export type TrialOutcome = 'verified' | 'decrypts (unverified)' | 'decrypts' | 'tag fails' | 'garbage';

export interface Trial { label: string; outcome: TrialOutcome }

export interface FrameDiagnosis {
  framing: string;
  segments: number;
  bytes: number;
  securityControl?: number;
  systemTitle?: string;
  manufacturer?: string;
  frameCounter?: number;
  hasTag?: boolean;
  trials: Trial[];
  decoded?: { readings: number; profile?: string; meterId?: string; timestamp?: string; error?: string };
}

export interface DiagnoseKeys { key?: Uint8Array; authKey?: Uint8Array }

function trial(c: CipheredApdu, key: Uint8Array, authKey: Uint8Array | undefined, aes: AesGcm): TrialOutcome {
  try {
    const o = openGeneralGloCipher(c, { key, authKey }, aes);
    if (o.authenticated) return 'verified';
    if (!isPlausiblePlaintext(o.plaintext)) return 'garbage';
    return o.unverified ? 'decrypts (unverified)' : 'decrypts';
  } catch (e) {
    if (e instanceof MeterError && e.code === 'AUTH_FAILED') return 'tag fails';
    return 'garbage';
  }
}

function trials(c: CipheredApdu, k: DiagnoseKeys, aes: AesGcm): Trial[] {
  const out: Trial[] = [];
  if (k.key) out.push({ label: k.authKey ? 'GUEK + GAK as given' : 'GUEK as given', outcome: trial(c, k.key, k.authKey, aes) });
  if (k.key && k.authKey && c.tag) out.push({ label: 'GUEK without the GAK', outcome: trial(c, k.key, undefined, aes) });
  if (k.key && k.authKey) out.push({ label: 'keys swapped', outcome: trial(c, k.authKey, k.key, aes) });
  if (k.key && c.tag) out.push({ label: 'GUEK + Luxembourg default GAK', outcome: trial(c, k.key, LUX_DEFAULT_GAK, aes) });
  return out;
}

export function diagnoseFrame(ev: FrameEvent, keys: DiagnoseKeys, aes: AesGcm): FrameDiagnosis {
  const d: FrameDiagnosis = { framing: ev.kind, segments: ev.segments, bytes: ev.payload.length, trials: [] };
  if (ev.kind !== 'dsmr' && ev.payload[0] === 0xdb) {
    try {
      const c = decodeGeneralGloCipher(ev.payload);
      Object.assign(d, { securityControl: c.securityControl, systemTitle: bytesToHex(c.systemTitle),
        manufacturer: manufacturerFromSystemTitle(c.systemTitle), frameCounter: c.invocationCounter, hasTag: Boolean(c.tag) });
      d.trials = trials(c, keys, aes);
    } catch (e) {
      d.decoded = { readings: 0, error: (e as Error).message };
      return d;
    }
  }
  const config = createDecodeConfig({ aes, ...keys });
  const r = decodeFrameEvent(ev, config, createDecodeState(config));
  if ('error' in r) d.decoded = { readings: 0, error: `${r.error.code}: ${r.error.message}` };
  else {
    const m = r as MeterMessage;
    d.decoded = { readings: m.readings.length, profile: m.meter.profile, meterId: m.meter.id, timestamp: m.timestamp };
  }
  return d;
}

/**
 * Why a port or connection could not be opened, and what to do, from the driver's message (serialport and
 * node:net wording): no such device, no permission (the dialout group), held by another program, refused.
 */
export function openFailureAdvice(detail: string): string {
  const d = detail.toLowerCase();
  const why = /no such file|enoent/.test(d) ? 'it does not exist (ENOENT): check the device name with `meterwire ports` (a USB adapter is often /dev/ttyUSB0 or /dev/ttyACM0) and that the adapter is plugged in'
    : /permission denied|eacces/.test(d) ? 'permission denied (EACCES): add your user to the group that owns the port, usually dialout (`sudo usermod -aG dialout $USER`, then log out and in again)'
      : /cannot lock|resource temporarily unavailable|ebusy|eagain|resource busy/.test(d) ? 'the port is busy: another program holds it (another meterwire, ModemManager, a terminal program); stop it and try again (`fuser -v <port>` names it)'
        : /econnrefused/.test(d) ? 'the connection was refused (ECONNREFUSED): check host and port, and that the gateway or ser2net listens'
          : /enotfound|eai_again/.test(d) ? 'the host name does not resolve: check it'
            : 'see the reason above';
  return `the port could not be opened (${detail}): ${why}`;
}

/** One line: what the user should do next. `openFailure` is the reason the source never opened, if it did not. */
export function advice(frames: FrameDiagnosis[], keys: DiagnoseKeys, openFailure?: string): string {
  if (frames.length === 0 && openFailure) return openFailureAdvice(openFailure);
  if (frames.length === 0) {
    return 'no frame found: check the cable, the port and its settings (baud rate, parity; see `meterwire profiles`), and that the customer interface is enabled by your grid operator';
  }
  const f = frames.find((x) => x.securityControl !== undefined) ?? frames[0];
  const has = (label: string, o: TrialOutcome[]) => f.trials.some((t) => t.label.startsWith(label) && o.includes(t.outcome));
  if (f.securityControl === undefined) {
    return f.decoded?.error ? `frames are not encrypted but do not decode: ${f.decoded.error}` : 'frames are not encrypted and decode: no key is needed';
  }
  const sc = `0x${f.securityControl.toString(16).padStart(2, '0')}`;
  if (!keys.key) return `the meter encrypts (security control ${sc}): ask your grid operator for the GUEK${f.hasTag ? ' and the GAK' : ''} and pass --key${f.hasTag ? ' and --auth-key' : ''}`;
  if (has('GUEK + GAK as given', ['verified'])) return 'both keys are correct: the frames decrypt and their tags verify';
  if (has('keys swapped', ['verified', 'decrypts', 'decrypts (unverified)'])) return 'your keys are swapped: pass the GUEK as --key and the GAK as --auth-key';
  if (has('GUEK + Luxembourg default GAK', ['verified'])) return 'the GUEK is right; the GAK is not: this meter uses the Luxembourg default GAK 00112233445566778899AABBCCDDEEFF';
  if (has('GUEK', ['decrypts', 'decrypts (unverified)'])) {
    return f.hasTag
      ? `the GUEK is right${keys.authKey ? ' but the GAK does not verify: check it, or omit --auth-key (values are then marked unverified)' : '; add the GAK with --auth-key to verify the frames'}`
      : `the GUEK is right (security control ${sc}: encryption only, no GAK needed)`;
  }
  return `the GUEK does not decrypt these frames: check the key letter from your grid operator (32 hex digits or 16 characters) and that it is for this meter (system title ${f.systemTitle})`;
}
