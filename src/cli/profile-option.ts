/** --profile takes a built-in id or the path of a user profile file (JSON of the Profile shape). */
import { existsSync } from 'node:fs';
import type { Profile } from '../core/profiles/types.js';

/** Loads the validator (zod) only when a profile file is actually given: `decode` stays light otherwise. */
export async function profileOption(value: string | undefined): Promise<string | Profile | undefined> {
  if (value === undefined) return undefined;
  if (!/\.json$/i.test(value) && !existsSync(value)) return value;
  const { loadProfileFile } = await import('../adapters/profile-file.js');
  return loadProfileFile(value);
}
