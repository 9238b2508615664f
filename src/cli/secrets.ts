/**
 * The secrets of this CLI run (keys, URL passwords, secret URL options), known to one redactor that the logger,
 * `--print-config` and the last-resort error report share, so none of them can print a secret in any encoding.
 * The CLI is the composition root: one redactor per process is its business, not the library's.
 */
import { createRedactor, type Redactor } from '../redact/index.js';

export const runSecrets: Redactor = createRedactor();

/** Registers what a reader configuration holds: its keys and every source and output URL's secrets. */
export function rememberSecrets(c: { key?: string | null; authKey?: string | null; source?: string | null; outputs?: readonly string[] | null }): void {
  runSecrets.add(c.key, c.authKey);
  runSecrets.addUrl(c.source, ...(c.outputs ?? []));
}
