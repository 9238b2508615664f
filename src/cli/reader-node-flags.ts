/**
 * Node flags for the long-running reader, wherever meterwire starts it (`npm start`, the systemd unit written by
 * `meterwire service install`, the dashboard bench). `--optimize-for-size` keeps V8's young generation small: the
 * reader with the dashboard peaked at 100–105 MB RSS in its first 20 s without it and at 86–87 MB with it (live
 * heap 15–18 MB either way; the rest was heap V8 had grown at start-up and returned only later). A reader
 * decodes a frame a second, so the cost in speed does not show. V8 refuses this flag in NODE_OPTIONS, and the
 * `meterwire` command's `#!/usr/bin/env node` line cannot portably carry it, so it is passed where node is named.
 * package.json's `start` script repeats it (a test keeps the two equal).
 */
export const READER_NODE_FLAGS: readonly string[] = ['--optimize-for-size'];
