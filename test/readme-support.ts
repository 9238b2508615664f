/**
 * Extracts the runnable examples of README.md: fenced blocks preceded by `<!-- test -->` (shell, run in order)
 * or `<!-- test file=NAME -->` (a file the examples use, written to the working directory). Commands are split
 * into logical lines (trailing `\` joined, comments dropped, `#   → text` kept as the previous command's
 * expected output, `…` matching anything).
 */
export interface ReadmeCommand {
  /** The shell command as written (without a trailing comment or `&`). */
  command: string;
  background: boolean;
  /** What the README shows as its output (`#   → …`), if anything. */
  expect?: string;
  line: number;
}

export type ReadmeBlock =
  | { kind: 'shell'; line: number; commands: ReadmeCommand[] }
  | { kind: 'file'; line: number; name: string; text: string };

/** The command without a trailing `# comment` (a `#` after whitespace, outside quotes). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

function parseShell(body: string[], firstLine: number): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  let pending = '';
  let pendingLine = 0;
  body.forEach((raw, i) => {
    const expect = /^#\s*→\s?(.*)$/.exec(raw.trim());
    if (expect && out.length) { out[out.length - 1].expect = expect[1].trim(); return; }
    if (!pending && raw.trim().startsWith('#')) return;
    const continued = /\\$/.test(raw);
    if (!pending) pendingLine = firstLine + i;
    pending += (pending ? ' ' : '') + (continued ? raw.replace(/\\$/, '').trim() : stripComment(raw).trim());
    if (continued) return;
    if (pending) {
      const background = /[^&]&$/.test(pending);
      out.push({ command: background ? pending.replace(/&$/, '').trim() : pending, background, line: pendingLine });
    }
    pending = '';
  });
  return out;
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!--\s*test(?:\s+file=(\S+))?\s*-->\s*$/.exec(lines[i].trim());
    if (!marker) continue;
    const fence = lines[i + 1] ?? '';
    if (!/^```/.test(fence)) throw new Error(`README line ${i + 1}: <!-- test --> must be followed by a fenced block`);
    const end = lines.findIndex((l, j) => j > i + 1 && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README line ${i + 2}: unterminated block`);
    const body = lines.slice(i + 2, end);
    blocks.push(marker[1]
      ? { kind: 'file', line: i + 3, name: marker[1], text: body.join('\n') + '\n' }
      : { kind: 'shell', line: i + 3, commands: parseShell(body, i + 3) });
    i = end;
  }
  return blocks;
}

/** Whether `text` shows what the README expects: the pieces between `…` in order. */
export function showsExpected(text: string, expected: string): boolean {
  let at = 0;
  for (const piece of expected.split('…').map((p) => p.trim()).filter(Boolean)) {
    const found = text.indexOf(piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return true;
}
