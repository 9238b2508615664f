/**
 * The fleet's master key: 32 bytes from METERWIRE_MASTER_KEY (hex or base64) or from a file (the same text, or
 * 32 raw bytes). The file is read once and refused when group or others may read it, as ssh refuses a private
 * key file. The raw key is kept only as the subkeys derived from it (HKDF-SHA256): one wraps data keys, one
 * makes fingerprints, one names the key (its id) — so a fingerprint or an id never reveals the wrapping key.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { meterError } from '../../core/errors.js';

export const MASTER_KEY_ENV = 'METERWIRE_MASTER_KEY';
const MASTER_KEY_BYTES = 32;
const MAX_FILE_BYTES = 4096;

export interface MasterKey {
  /** 16 hex digits naming this master key (stored with every row it wraps); not secret, reveals nothing. */
  readonly id: string;
  /** Where it came from, for messages: `METERWIRE_MASTER_KEY` or the file path. */
  readonly origin: string;
  /** AES-256 key wrapping the per-row data keys. */
  readonly wrapKey: Buffer;
  /** HMAC key of key fingerprints. */
  readonly fingerprintKey: Buffer;
}

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `meterwire fleet ${purpose} v1`, 32));
}

/** Builds the master key from its 32 bytes (the caller's buffer is zeroed afterwards). */
export function masterKeyFromBytes(bytes: Uint8Array, origin: string): MasterKey {
  if (bytes.length !== MASTER_KEY_BYTES) {
    throw meterError('BAD_CONFIG', `the master key (${origin}) must be 32 bytes, got ${bytes.length}`);
  }
  const raw = Buffer.from(bytes);
  try {
    return {
      id: derive(raw, 'key id').subarray(0, 8).toString('hex'),
      origin,
      wrapKey: derive(raw, 'data key wrapping'),
      fingerprintKey: derive(raw, 'key fingerprint'),
    };
  } finally {
    raw.fill(0);
  }
}

/** 64 hex digits or base64 of 32 bytes; never echoes the text in an error. */
export function parseMasterKeyText(text: string, origin: string): MasterKey {
  const t = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) bytes = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{42,43}={0,2}$/.test(t)) bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes === undefined || bytes.length !== MASTER_KEY_BYTES) {
    throw meterError('BAD_CONFIG', `the master key (${origin}) is malformed: expected 64 hex digits or the base64 of 32 bytes ` +
      `(e.g. from \`openssl rand -hex 32\`), got ${t.length} characters`);
  }
  try {
    return masterKeyFromBytes(bytes, origin);
  } finally {
    bytes.fill(0);
  }
}

/**
 * Reads the file once through one descriptor (the permission check and the read see the same file). Refuses a
 * file that is not a regular file or that group/others may access at all.
 */
export function readMasterKeyFile(path: string): MasterKey {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw meterError('BAD_CONFIG', `cannot open the master key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw meterError('BAD_CONFIG', `the master key file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw meterError('BAD_CONFIG', `the master key file ${path} is accessible by group or others ` +
        `(mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); refused, as ssh refuses such key files: chmod 600 ${path}`);
    }
    if (st.size > MAX_FILE_BYTES) throw meterError('BAD_CONFIG', `the master key file ${path} is too large to be a key (${st.size} bytes)`);
    const buf = Buffer.alloc(st.size);
    try {
      let read = 0;
      while (read < buf.length) {
        const n = readSync(fd, buf, read, buf.length - read, read);
        if (n === 0) break;
        read += n;
      }
      const content = buf.subarray(0, read);
      if (content.length === MASTER_KEY_BYTES) return masterKeyFromBytes(content, path);
      return parseMasterKeyText(content.toString('latin1'), path);
    } finally {
      buf.fill(0);
    }
  } finally {
    closeSync(fd);
  }
}

/** The file when given, else METERWIRE_MASTER_KEY; BAD_CONFIG when neither is there. */
export function loadMasterKey(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): MasterKey {
  if (options.file !== undefined) return readMasterKeyFile(options.file);
  const text = (options.env ?? process.env)[MASTER_KEY_ENV];
  if (text === undefined || text.trim() === '') {
    throw meterError('BAD_CONFIG', `no master key: set ${MASTER_KEY_ENV} (64 hex digits or base64 of 32 bytes) or pass --master-key-file`);
  }
  return parseMasterKeyText(text, MASTER_KEY_ENV);
}

/** A short fingerprint of a meter key under the master key (HMAC-SHA256, 64 bits): comparable, not reversible. */
export function keyFingerprint(master: MasterKey, key: Uint8Array): string {
  return createHmac('sha256', master.fingerprintKey).update(key).digest().subarray(0, 8).toString('hex');
}
