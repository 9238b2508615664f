/**
 * The on-disk spool of the fan-out (DESIGN §6: readings for a durable sink that is down are kept, bounded, on
 * disk and delivered when it returns). One SQLite file shared by all outputs, one row per message, keyed by the
 * output's name (its redacted URL) so pending rows survive a restart and go to the same output afterwards. The
 * name is redacted once more here (src/redact; idempotent), so a sink that forgot cannot put a password on disk.
 * WAL with synchronous=NORMAL: a power cut may lose the last few rows, never corrupts the file, and keeps a
 * Raspberry Pi's SD card writes cheap.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { MeterMessage } from '../core/model/message.js';
import { redactUrl } from '../redact/index.js';

export interface OutboxRow {
  seq: number;
  message: MeterMessage;
}

export interface Outbox {
  /** Appends messages in order; returns how many rows the output has afterwards. */
  append(sink: string, messages: readonly MeterMessage[]): number;
  /** Puts messages before all of an output's rows (a failed in-memory batch is older than what was spooled). */
  prepend(sink: string, messages: readonly MeterMessage[]): number;
  /** The oldest `limit` rows of an output, in order. */
  peek(sink: string, limit: number): OutboxRow[];
  /** Deletes an output's rows up to and including `seq` (after they were delivered). */
  remove(sink: string, uptoSeq: number): void;
  count(sink: string): number;
  /** Deletes the oldest rows beyond `max`; returns how many were deleted. */
  trim(sink: string, max: number): number;
  close(): void;
}

export function openOutbox(path: string): Outbox {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Sequence numbers are per output and may go below zero: prepending takes numbers below the current head.
  db.exec(`CREATE TABLE IF NOT EXISTS outbox (
    sink TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (sink, seq)
  ) WITHOUT ROWID;`);

  const insert = db.prepare('INSERT INTO outbox (sink, seq, payload) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT seq, payload FROM outbox WHERE sink = ? ORDER BY seq LIMIT ?');
  const del = db.prepare('DELETE FROM outbox WHERE sink = ? AND seq <= ?');
  const bounds = db.prepare('SELECT COUNT(*) AS n, MIN(seq) AS head, MAX(seq) AS tail FROM outbox WHERE sink = ?');
  const nth = db.prepare('SELECT seq FROM outbox WHERE sink = ? ORDER BY seq LIMIT 1 OFFSET ?');

  // Counting rows on every publish would cost a query per message; keep count and sequence bounds per output.
  interface Span { n: number; head: number; tail: number }
  const spans = new Map<string, Span>();
  function span(sink: string): Span {
    let s = spans.get(sink);
    if (!s) {
      const r = bounds.get(sink) as { n: number; head: number | null; tail: number | null };
      s = { n: r.n, head: r.head ?? 1, tail: r.tail ?? 0 };
      spans.set(sink, s);
    }
    return s;
  }

  const keys = new Map<string, string>();
  const keyOf = (sink: string): string => {
    let k = keys.get(sink);
    if (k === undefined) keys.set(sink, (k = redactUrl(sink)));
    return k;
  };

  const insertMany = db.transaction((sink: string, first: number, messages: readonly MeterMessage[]) => {
    messages.forEach((m, i) => insert.run(sink, first + i, JSON.stringify(m)));
  });

  function removeUpTo(sink: string, seq: number): number {
    const s = span(sink);
    const changes = del.run(sink, seq).changes;
    s.n = Math.max(0, s.n - changes);
    s.head = s.n === 0 ? s.tail + 1 : Math.max(s.head, seq + 1);
    return changes;
  }

  return {
    append(name, messages) {
      const sink = keyOf(name);
      const s = span(sink);
      if (messages.length === 0) return s.n;
      insertMany(sink, s.tail + 1, messages);
      if (s.n === 0) s.head = s.tail + 1;
      s.tail += messages.length;
      s.n += messages.length;
      return s.n;
    },
    prepend(name, messages) {
      const sink = keyOf(name);
      const s = span(sink);
      if (messages.length === 0) return s.n;
      const first = (s.n === 0 ? s.tail + 1 : s.head) - messages.length;
      insertMany(sink, first, messages);
      if (s.n === 0) s.tail = first + messages.length - 1;
      s.head = first;
      s.n += messages.length;
      return s.n;
    },
    peek(name, limit) {
      const rows = select.all(keyOf(name), limit) as { seq: number; payload: string }[];
      return rows.map((r) => ({ seq: r.seq, message: JSON.parse(r.payload) as MeterMessage }));
    },
    remove(name, uptoSeq) {
      removeUpTo(keyOf(name), uptoSeq);
    },
    count: (name) => span(keyOf(name)).n,
    trim(name, max) {
      const sink = keyOf(name);
      const excess = span(sink).n - max;
      if (excess <= 0) return 0;
      const cut = nth.get(sink, excess - 1) as { seq: number } | undefined;
      return cut ? removeUpTo(sink, cut.seq) : 0;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
