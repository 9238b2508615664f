/** `meterwire decode`: decode a captured frame/telegram (hex, file or stdin) and print messages. */
import { createDecoder, type DecoderOptions } from '../index.js';
import type { DecodeResult } from '../core/model/message.js';
import { readInput } from './read-input.js';
import { renderPretty } from './pretty.js';
import { attributeKeys, keyOptions, type KeyFlags } from './key-options.js';
import { profileOption } from './profile-option.js';
import { runSecrets } from './secrets.js';

export interface DecodeFlags extends KeyFlags {
  format?: DecoderOptions['format'];
  profile?: string;
  pretty?: boolean;
  apdu?: boolean;
  allowUnauthenticated?: boolean;
}

export function printResult(r: DecodeResult, pretty: boolean): void {
  process.stdout.write((pretty ? renderPretty(r) : JSON.stringify(r)) + '\n');
}

/** Returns the exit code: 0 when at least one message decoded, 1 otherwise. */
export async function runDecode(inputArgs: string[], flags: DecodeFlags): Promise<number> {
  const keys = keyOptions(flags);
  runSecrets.add(keys.key, keys.authKey);
  const decoder = createDecoder({ key: keys.key, authKey: keys.authKey, format: flags.format, profile: await profileOption(flags.profile), includeApdu: flags.apdu,
    allowUnauthenticated: flags.allowUnauthenticated });
  const bytes = await readInput(inputArgs);
  const results = [...decoder.push(bytes), ...decoder.flush()];
  let ok = 0;
  for (const r of results) {
    if (!('error' in r)) ok++;
    else r.error.message = attributeKeys(r.error.message, keys);
    printResult(r, Boolean(flags.pretty));
  }
  if (results.length === 0) {
    printResult({ error: { code: 'NO_FRAME', layer: 'framing',
      message: `no frame found in ${bytes.length} byte(s): expected a DSMR telegram (/…!CRC), M-Bus (68…16), HDLC (7E…7E) or a bare APDU (DB…/0F…)` } },
    Boolean(flags.pretty));
  }
  return ok > 0 ? 0 : 1;
}
