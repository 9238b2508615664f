/**
 * Loads the shared public captures (../shared/vectors/public-vectors.json, or $METERWIRE_VECTORS) at test time.
 * They are never copied into the repository. Absent file: tests skip with a clear message, except under CI=true.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VectorExpectation {
  obis: string;
  value: unknown;
  unit?: string;
  raw?: boolean;
  check?: string;
  group?: number;
  leaf?: number;
  note?: string;
}

export interface Vector {
  id: string;
  category: string;
  framing: string;
  raw_hex?: string;
  raw_text?: string;
  key_hex?: string | null;
  auth_key_hex?: string | null;
  gmac_challenge_hex?: string;
  expected: VectorExpectation[];
  verified_note?: string;
  hints?: {
    decrypted_plaintext_hex?: string;
    observed_decoded_items?: { obis: string; raw: unknown; scaler?: number; unit?: number; value?: number }[];
    observed_decoded_leaves?: unknown[];
  };
}

const here = dirname(fileURLToPath(import.meta.url));
export const VECTORS_PATH = process.env.METERWIRE_VECTORS ?? resolve(here, '../../../shared/vectors/public-vectors.json');

let cache: Vector[] | undefined;

/** The vectors, or undefined (with the reason) when the file is absent; under CI=true absence throws. */
export function loadVectors(): Vector[] | undefined {
  if (cache) return cache;
  if (!existsSync(VECTORS_PATH)) {
    const msg = `public vectors not found at ${VECTORS_PATH} (set METERWIRE_VECTORS to their path)`;
    if (process.env.CI === 'true') throw new Error(`${msg}; CI requires them`);
    return undefined;
  }
  cache = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vector[];
  return cache;
}

export function vector(id: string): Vector | undefined {
  return loadVectors()?.find((v) => v.id === id);
}

export const VECTORS_SKIP = `public vectors not found at ${VECTORS_PATH}`;
