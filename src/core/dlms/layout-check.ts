/**
 * Does a positional list fit a profile's layout? (DESIGN §7 "layout fits"). Every element must have a type the
 * field accepts, and every numeric field's scaled value must be plausible for its OBIS quantity (registry +
 * data/plausible-ranges.ts). The first element that does not fit is reported, so the user learns which element
 * broke the layout and what it held instead — and no value of that list is delivered.
 */
import type { PositionalField, PositionalLayout } from '../profiles/types.js';
import type { FieldType } from '../profiles/field-types.js';
import { describeObis } from '../obis/registry.js';
import { describeRange, plausibleRange, unitToBase } from '../obis/plausibility.js';
import type { DlmsValue } from './types.js';
import { describeType, typeTest } from './value-types.js';
import { applyScaler } from './payload-values.js';

export interface LayoutMismatch {
  /** 0-based element index. */
  index: number;
  field: PositionalField;
  /** What the field accepts: "uint32", "text or octet-string[12]", "0…1000 V". */
  expected: string;
  /** What the element is: "visible-string[7]", "uint32 giving 30739.3 V". */
  got: string;
}

const DATETIME: readonly FieldType[] = ['datetime'];
const DATE: readonly FieldType[] = ['date'];
const TIME: readonly FieldType[] = ['time'];
const TEXT: readonly FieldType[] = ['text'];
const INTEGER: readonly FieldType[] = ['integer'];
const ANY: readonly FieldType[] = ['any'];

/** The types a field accepts: its own list, or the default of its role (see PositionalField.type). */
export function fieldTypes(f: PositionalField): readonly FieldType[] {
  if (f.type !== undefined) return typeof f.type === 'string' ? [f.type] : f.type;
  if (f.skip) return ANY;
  switch (f.role) {
    case 'timestamp': return DATETIME;
    case 'date': return DATE;
    case 'time': return TIME;
    case 'meter-id': return TEXT;
    // A field that states nothing about its value (no scaler, unit or type) expects nothing.
    default: return f.scaler !== undefined || f.unit !== undefined ? INTEGER : ANY;
  }
}

/** Whether the field yields a number reading (it has a scaler or a unit and is not a role/skip field). */
export function isNumericField(f: PositionalField): boolean {
  return !f.skip && f.role === undefined && (f.scaler !== undefined || f.unit !== undefined);
}

/**
 * A layout prepared for checking many lists: per field its accepted types and, for numeric fields whose quantity
 * has a plausible range in a unit that converts, that range in the meter's raw integers (so a check is two
 * comparisons, no registry lookup). Profiles are immutable data, so a compiled layout stays valid as long as its
 * layout (the profile chooser keeps them per decoder).
 */
export interface CompiledLayout {
  readonly layout: PositionalLayout;
  readonly fields: readonly CompiledField[];
}

interface CompiledField {
  types: readonly FieldType[];
  accepts: (v: DlmsValue) => boolean;
  /** Raw integer bounds; undefined when the field is not judged by range. */
  lo: number | undefined;
  hi: number | undefined;
}

function compileField(f: PositionalField): CompiledField {
  const types = fieldTypes(f);
  const accepts = typeTest(types);
  if (!isNumericField(f)) return { types, accepts, lo: undefined, hi: undefined };
  const range = plausibleRange(describeObis(f.obis).quantity);
  if (range === undefined) return { types, accepts, lo: undefined, hi: undefined };
  const factor = range.base === undefined ? 1 : unitToBase(range.base, f.unit);
  if (!(factor > 0)) return { types, accepts, lo: undefined, hi: undefined };
  // raw × 10^scaler × factor within [min, max]; the inverse of the scaler applied exactly (10^k, not 0.1^k).
  const toRaw = (x: number): number => applyScaler(x, -(f.scaler ?? 0)) / factor;
  return { types, accepts, lo: toRaw(range.min), hi: toRaw(range.max) };
}

export function compileLayout(layout: PositionalLayout): CompiledLayout {
  return { layout, fields: layout.fields.map(compileField) };
}

function rangeMismatch(f: PositionalField, c: CompiledField, v: DlmsValue, index: number): LayoutMismatch | undefined {
  if (c.lo === undefined || c.hi === undefined || v.type !== 'integer' || typeof v.value !== 'number') return undefined;
  if (v.value >= c.lo && v.value <= c.hi) return undefined;
  const quantity = describeObis(f.obis).quantity;
  const scaled = applyScaler(v.value, f.scaler ?? 0);
  return { index, field: f, expected: describeRange(quantity) ?? quantity,
    got: `${describeType(v)} giving ${scaled}${f.unit ? ` ${f.unit}` : ''}` };
}

/** The first element of `items` that does not fit the compiled layout, or undefined when the whole list fits. */
export function checkCompiled(compiled: CompiledLayout, items: readonly DlmsValue[]): LayoutMismatch | undefined {
  const fields = compiled.layout.fields;
  const n = Math.min(items.length, fields.length);
  for (let i = 0; i < n; i++) {
    const c = compiled.fields[i], v = items[i];
    if (!c.accepts(v)) return { index: i, field: fields[i], expected: c.types.join(' or '), got: describeType(v) };
    const range = rangeMismatch(fields[i], c, v, i);
    if (range) return range;
  }
  return undefined;
}

/** The first element of `items` that does not fit `layout`, or undefined when the whole list fits. */
export function checkLayout(layout: PositionalLayout, items: readonly DlmsValue[]): LayoutMismatch | undefined {
  return checkCompiled(compileLayout(layout), items);
}

/**
 * The layout of `profile` for this list: among its layouts with the list's element count (a profile may have
 * several lists of one size, e.g. Slovenian energy and instantaneous lists of 12), the first that fits; when
 * none fits, the first of that count with its mismatch; undefined when the profile has no layout of that count.
 */
export function layoutFor(layouts: readonly PositionalLayout[] | undefined, items: readonly DlmsValue[],
  compiled: (l: PositionalLayout) => CompiledLayout = compileLayout):
  { layout: PositionalLayout; mismatch?: LayoutMismatch } | undefined {
  let first: { layout: PositionalLayout; mismatch?: LayoutMismatch } | undefined;
  for (const layout of layouts ?? []) {
    if (layout.elements !== items.length) continue;
    const mismatch = checkCompiled(compiled(layout), items);
    if (!mismatch) return { layout };
    first ??= { layout, mismatch };
  }
  return first;
}

/** "element 5 of 10 (1-0:1.8.0 Active energy import (+A)) should be uint32, got visible-string[7]". */
export function describeMismatch(m: LayoutMismatch, elements: number): string {
  const name = describeObis(m.field.obis).name;
  return `element ${m.index + 1} of ${elements} (${m.field.obis}${name !== m.field.obis ? ` ${name}` : ''}) ` +
    `should be ${m.expected}, got ${m.got}`;
}
