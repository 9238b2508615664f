/**
 * What a volume counter measures, for the History view's labels. The decoder names an M-Bus channel's reading by
 * its device type (src/core/dsmr/mbus-channels.ts): gas_volume, water_volume, hot_water_volume, a second meter of
 * a medium with _2; a channel of unknown medium keeps its number (mbus_1_value, mbus1_reading). The page names
 * what is known and never guesses a medium.
 */
export type VolumeKind = 'gas' | 'water' | 'hotWater';

export interface VolumeReading {
  id: string;
  kind: VolumeKind | null;
  /** The n-th meter of its medium (gas_volume_2 → 2), 1 for the first. */
  index: number;
  /** The M-Bus channel when the medium is unknown. */
  channel: number | null;
}

const KINDS: ReadonlyArray<readonly [RegExp, VolumeKind]> = [[/^gas_volume(?:_(\d+))?$/, 'gas'],
  [/^hot_water_volume(?:_(\d+))?$/, 'hotWater'], [/^water_volume(?:_(\d+))?$/, 'water']];

export function volumeKind(id: string): VolumeReading {
  for (const [re, kind] of KINDS) {
    const m = re.exec(id);
    if (m) return { id, kind, index: m[1] ? Number(m[1]) : 1, channel: null };
  }
  const ch = /^mbus_?(\d)_/.exec(id);
  return { id, kind: null, index: 1, channel: ch ? Number(ch[1]) : null };
}
