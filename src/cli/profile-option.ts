/** --profile takes a built-in id or the path of a user profile file (JSON of the Profile shape). */
import { existsSync } from 'node:fs';
import { loadProfileFile } from '../adapters/profile-file.js';
import type { Profile } from '../core/profiles/types.js';

export function profileOption(value: string | undefined): string | Profile | undefined {
  if (value === undefined) return undefined;
  return /\.json$/i.test(value) || existsSync(value) ? loadProfileFile(value) : value;
}
