/**
 * Envelope encryption of one registry row (AES-256-GCM throughout):
 *
 *   meter keys (GUEK ‖ GAK) ──data key (random, per row)──▶ encrypted_keys     AAD: "keys" ‖ meter id
 *   data key                ──master wrap key────────────▶ wrapped_data_key   AAD: "data key" ‖ key id ‖ meter id
 *
 * Both blobs are `version ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag`. The AADs bind them to the meter id, so a row's
 * ciphertext copied onto another row (or its key id edited) no longer opens. Rotating the master key rewraps only
 * the 32-byte data keys; the encrypted meter keys stay as they are.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyStoreError, wrongMasterKey } from './key-store-error.js';
import type { MasterKey } from './master-key.js';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const METER_KEY_BYTES = 16;
const HAS_GUEK = 1;
const HAS_GAK = 2;

export interface MeterKeys {
  guek?: Uint8Array;
  gak?: Uint8Array;
}

export interface SealedKeys {
  masterKeyId: string;
  wrappedDataKey: Buffer;
  encryptedKeys: Buffer;
}

const aadOfKeys = (meterId: string): Buffer => Buffer.from(`meterwire fleet keys v1\0${meterId}`, 'utf8');
const aadOfDataKey = (keyId: string, meterId: string): Buffer =>
  Buffer.from(`meterwire fleet data key v1\0${keyId}\0${meterId}`, 'utf8');

function seal(key: Buffer, plaintext: Buffer, aad: Buffer, iv: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the blob is malformed or does not verify. */
function open(key: Buffer, blob: Uint8Array, aad: Buffer): Buffer | undefined {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const decipher = createDecipheriv('aes-256-gcm', key, b.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(b.subarray(b.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(b.subarray(1 + IV_BYTES, b.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function tampered(meterId: string): KeyStoreError {
  return new KeyStoreError('tampered', `the stored keys of meter ${meterId} do not open under this master key: ` +
    'the row was altered or its ciphertext belongs to another meter; refused (import or rotate-key its keys again)');
}

/** Seals a meter's keys under a fresh data key, itself wrapped by the master key. */
export function sealMeterKeys(master: MasterKey, meterId: string, keys: MeterKeys): SealedKeys {
  // One call for the data key and both IVs: a large import seals 100,000 rows and each call costs tens of µs.
  const random = randomBytes(DATA_KEY_BYTES + 2 * IV_BYTES);
  const dataKey = random.subarray(0, DATA_KEY_BYTES);
  const plain = Buffer.alloc(1 + 2 * METER_KEY_BYTES);
  try {
    let n = 1;
    for (const [flag, key] of [[HAS_GUEK, keys.guek], [HAS_GAK, keys.gak]] as const) {
      if (key === undefined) continue;
      if (key.length !== METER_KEY_BYTES) throw new RangeError('a meter key must be 16 bytes');
      plain[0] |= flag;
      plain.set(key, n);
      n += METER_KEY_BYTES;
    }
    return {
      masterKeyId: master.id,
      wrappedDataKey: wrapDataKey(master, meterId, dataKey, random.subarray(DATA_KEY_BYTES, DATA_KEY_BYTES + IV_BYTES)),
      encryptedKeys: seal(dataKey, plain.subarray(0, n), aadOfKeys(meterId), random.subarray(DATA_KEY_BYTES + IV_BYTES)),
    };
  } finally {
    plain.fill(0);
    random.fill(0);
  }
}

function wrapDataKey(master: MasterKey, meterId: string, dataKey: Buffer, iv: Buffer = randomBytes(IV_BYTES)): Buffer {
  return seal(master.wrapKey, dataKey, aadOfDataKey(master.id, meterId), iv);
}

function unwrapDataKey(master: MasterKey, meterId: string, sealed: SealedKeys): Buffer {
  if (sealed.masterKeyId !== master.id) throw wrongMasterKey(sealed.masterKeyId, master);
  const dataKey = open(master.wrapKey, sealed.wrappedDataKey, aadOfDataKey(sealed.masterKeyId, meterId));
  if (dataKey === undefined || dataKey.length !== DATA_KEY_BYTES) throw tampered(meterId);
  return dataKey;
}

/** Where opened keys are put: a fresh array by default, a scratch buffer the directory wipes (pg-meter-directory.ts). */
export type KeyAllocator = (bytes: number) => Uint8Array;

/**
 * The meter's keys. Throws KeyStoreError: 'wrong-master-key' when the row was wrapped by another master key,
 * 'tampered' when its ciphertext does not verify for this meter id.
 */
export function openMeterKeys(master: MasterKey, meterId: string, sealed: SealedKeys,
  alloc: KeyAllocator = (bytes) => new Uint8Array(bytes)): MeterKeys {
  const dataKey = unwrapDataKey(master, meterId, sealed);
  let plain: Buffer | undefined;
  try {
    plain = open(dataKey, sealed.encryptedKeys, aadOfKeys(meterId));
  } finally {
    dataKey.fill(0);
  }
  if (plain === undefined || plain.length < 1) throw tampered(meterId);
  try {
    const flags = plain[0];
    const expected = 1 + METER_KEY_BYTES * ((flags & HAS_GUEK ? 1 : 0) + (flags & HAS_GAK ? 1 : 0));
    if ((flags & ~(HAS_GUEK | HAS_GAK)) !== 0 || plain.length !== expected) throw tampered(meterId);
    const out: MeterKeys = {};
    let n = 1;
    for (const [flag, role] of [[HAS_GUEK, 'guek'], [HAS_GAK, 'gak']] as const) {
      if (!(flags & flag)) continue;
      const key = alloc(METER_KEY_BYTES);
      key.set(plain.subarray(n, n + METER_KEY_BYTES));
      out[role] = key;
      n += METER_KEY_BYTES;
    }
    return out;
  } finally {
    plain.fill(0);
  }
}

/** Rewraps a row's data key for a new master key; the encrypted meter keys are unchanged. */
export function rewrapDataKey(from: MasterKey, to: MasterKey, meterId: string, sealed: SealedKeys): SealedKeys {
  const dataKey = unwrapDataKey(from, meterId, sealed);
  try {
    // Proves the data key opens this row's keys before the old wrapping is given up.
    const plain = open(dataKey, sealed.encryptedKeys, aadOfKeys(meterId));
    if (plain === undefined) throw tampered(meterId);
    plain.fill(0);
    return { masterKeyId: to.id, wrappedDataKey: wrapDataKey(to, meterId, dataKey), encryptedKeys: sealed.encryptedKeys };
  } finally {
    dataKey.fill(0);
  }
}
