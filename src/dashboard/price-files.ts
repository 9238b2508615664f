/**
 * Dynamic price series from CSV files named in the tariffs (`import: { type: dynamic, series, file }`). The cost
 * engine does no I/O, so the dashboard reads each file at start and again whenever its modification time or size
 * changes, parses it with the engine's parsePriceCsv and hands the slots to /api/costs by series name. A file that
 * is missing or wrong is logged once (with the line the parser names) and its series has no slots: those prices
 * are unknown (flagged by the engine), never 0.
 */
import { stat, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { meterError } from '../core/errors.js';
import { checkSlotSpacing, parsePriceCsv, type PriceSlot, type TariffsConfig } from '../costs/index.js';
import type { SinkLog } from '../sinks/types.js';

export type PriceSeries = Readonly<Record<string, readonly PriceSlot[]>>;

export interface PriceFiles {
  /** The slots of every series whose file reads cleanly now (re-read first if the file changed). */
  prices(): Promise<PriceSeries>;
}

interface FileEntry {
  readonly series: string;
  readonly path: string;
  /** The longest slot any source of this series uses: slots closer than this would overlap. */
  readonly slotMinutes: number;
  /** The unit when the file's header has none. */
  readonly unit?: string;
  /** mtime and size of what `slots` (or the logged error) came from. */
  version?: string;
  slots?: readonly PriceSlot[];
}

/** Series → file of every dynamic source with a `file`; a series given two different files is a BAD_CONFIG. */
function fileEntries(tariffs: TariffsConfig): FileEntry[] {
  const bySeries = new Map<string, FileEntry>();
  for (const [name, plan] of Object.entries(tariffs.plans)) {
    for (const source of [plan.import, plan.export]) {
      if (source?.type !== 'dynamic' || source.file === undefined) continue;
      const path = resolve(source.file);
      const seen = bySeries.get(source.series);
      if (seen && seen.path !== path) {
        throw meterError('BAD_CONFIG', `tariffs.plans.${name}: price series "${source.series}" is read from ${seen.path} and from ${path}: give one file per series`);
      }
      bySeries.set(source.series, { series: source.series, path, slotMinutes: Math.max(seen?.slotMinutes ?? 0, source.slotMinutes),
        unit: source.unit ?? seen?.unit });
    }
  }
  return [...bySeries.values()];
}

export function createPriceFiles(tariffs: TariffsConfig | undefined, log: SinkLog): PriceFiles {
  const entries = tariffs ? fileEntries(tariffs) : [];

  async function refresh(e: FileEntry): Promise<void> {
    let version: string;
    try {
      const s = await stat(e.path);
      version = `${s.mtimeMs}/${s.size}`;
    } catch (err) {
      version = `error:${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
      if (version !== e.version) log.error(`dashboard: cannot read the price file ${e.path} of series "${e.series}" (${version.slice(6)}): its prices are unknown`);
      e.version = version;
      e.slots = undefined;
      return;
    }
    if (version === e.version) return;
    e.version = version;
    try {
      const text = await readFile(e.path, 'utf8');
      const { slots } = parsePriceCsv(text, { source: e.path, timeZone: tariffs!.timeZone, currency: tariffs!.currency, unit: e.unit });
      checkSlotSpacing(slots, e.slotMinutes, e.path);
      e.slots = slots;
      log.info(`dashboard: price series "${e.series}": ${slots.length} slots from ${e.path}`);
    } catch (err) {
      e.slots = undefined;
      log.error(`dashboard: ${(err as Error).message}: series "${e.series}" is unpriced (unknown, not 0) until the file is fixed`);
    }
  }

  // One check at a time: a request arriving during a re-read waits for it rather than seeing no slots.
  let running: Promise<void> | undefined;
  const refreshAll = (): Promise<void> => {
    running ??= Promise.all(entries.map(refresh)).then(() => { running = undefined; });
    return running;
  };
  if (entries.length > 0) void refreshAll();

  return {
    async prices() {
      await refreshAll();
      const out: Record<string, readonly PriceSlot[]> = {};
      for (const e of entries) if (e.slots) out[e.series] = e.slots;
      return out;
    },
  };
}
