/**
 * Self-describing pushes (IEC 62056-6-2 push setup, class 40: attribute 2 push_object_list): the notification
 * body is a structure of N elements whose element 1 is the push object list itself — an array of N
 * capture-object definitions {class_id u16, logical_name octet-string(6), attribute_index i8, data_index u16
 * [, restriction, columns]} — and elements 2…N are the values of definitions 2…N. Landis+Gyr E450/E570/E360 and
 * Iskra AM550 send this in Switzerland, Cyprus and Klagenfurt; Energomera with the 6-field definitions of push
 * setup version 1. The list names its own codes, so it needs no layout; register scalers are not on the wire
 * (a scaler_unit attribute in the list is used, else the profile's, flagged `scaler_assumed`).
 */
import type { DlmsValue } from './types.js';
import { isObisValue, scalerUnitOf, type ScalerUnit } from './payload-values.js';
import { addObisReading } from './payload-obis.js';
import { addIssue, type PayloadContext } from './payload-context.js';

export interface CaptureObject {
  classId: number;
  logicalName: Uint8Array;
  attribute: number;
  dataIndex: number;
}

const CLASS_CLOCK = 8;
const CLASS_PUSH_SETUP = 40;

function integerOf(v: DlmsValue | undefined): number | undefined {
  return v !== undefined && v.type === 'integer' && typeof v.value === 'number' ? v.value : undefined;
}

function captureObjectOf(v: DlmsValue): CaptureObject | undefined {
  if (v.type !== 'structure' || (v.items.length !== 4 && v.items.length !== 6)) return undefined;
  const [c, ln, a, d] = v.items;
  const classId = integerOf(c), attribute = integerOf(a), dataIndex = integerOf(d);
  if (classId === undefined || attribute === undefined || dataIndex === undefined || !isObisValue(ln)) return undefined;
  return { classId, logicalName: ln.bytes, attribute, dataIndex };
}

/** The push object list when `items` is a self-describing push, else undefined. */
export function describedObjects(items: readonly DlmsValue[]): CaptureObject[] | undefined {
  const list = items[0];
  if (list === undefined || (list.type !== 'array' && list.type !== 'structure') || list.items.length !== items.length) return undefined;
  const out: CaptureObject[] = [];
  for (const it of list.items) {
    const o = captureObjectOf(it);
    if (!o) return undefined;
    out.push(o);
  }
  return out;
}

/** The logical name (OBIS) of the push setup that sent the list, when its first definition names it. */
export function pushSetupName(objects: readonly CaptureObject[]): Uint8Array | undefined {
  const first = objects[0];
  return first && first.classId === CLASS_PUSH_SETUP ? first.logicalName : undefined;
}

const sameName = (a: Uint8Array, b: Uint8Array): boolean => a.every((x, i) => x === b[i]);

/** scaler_unit attributes (class 3/4 attribute 3) the list itself carries, by the index of the register's value. */
function listedScalers(objects: readonly CaptureObject[], items: readonly DlmsValue[]): Map<number, ScalerUnit> {
  const out = new Map<number, ScalerUnit>();
  objects.forEach((o, i) => {
    if ((o.classId !== 3 && o.classId !== 4) || o.attribute !== 3) return;
    const su = scalerUnitOf(items[i]);
    const value = objects.findIndex((x) => x.attribute === 2 && x.classId === o.classId && sameName(x.logicalName, o.logicalName));
    if (su && value > 0) out.set(value, su);
  });
  return out;
}

/** Reads a self-describing push into ctx: one reading per captured value attribute. */
export function interpretDescribed(ctx: PayloadContext, items: readonly DlmsValue[], objects: readonly CaptureObject[]): void {
  const scalers = listedScalers(objects, items);
  for (let i = 1; i < items.length; i++) {
    const o = objects[i];
    if (o.classId === CLASS_PUSH_SETUP) continue; // the push setup's own logical name
    if ((o.classId === 3 || o.classId === 4) && o.attribute === 3) continue; // consumed as a scaler above
    if (o.dataIndex !== 0) {
      addIssue(ctx, 'NESTED_VALUE', `capture object ${i + 1} selects entry ${o.dataIndex} of its attribute: not read`);
      continue;
    }
    if (o.classId === CLASS_CLOCK && o.attribute !== 2) continue;
    addObisReading(ctx, o.logicalName, items[i], scalers.get(i));
  }
}
