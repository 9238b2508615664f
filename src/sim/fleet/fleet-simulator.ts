/**
 * Many simulated meters at once, without I/O: `frame(i, nowMs)` is meter i's message as it would arrive from its
 * gateway, and the readings the decoder must return for it. `meterwire simulate --fleet`, the fleet tests and the
 * fleet bench build the same frames from the same meters.
 */
import { nodeAesGcm } from '../../crypto/node-aes-gcm.js';
import { getProfile } from '../../core/profiles/builtin.js';
import type { Profile } from '../../core/profiles/types.js';
import { createMeterModel, prng, type MeterModel, type MeterState } from '../meter-model.js';
import { SIM_EPOCH_MS } from '../energy-curve.js';
import { encodeSimulatedPlaintext, protectAndFrame, recipeFor, type SimFrameOptions } from '../profile-frames.js';
import { stateValue } from '../state-values.js';
import { compileLinkWriter, encodeLink, type LinkWriter } from './link-writer.js';
import type { SimRecipe } from '../recipes.js';
import { compileTemplate, type FrameTemplate } from './frame-template.js';
import { createMeterCipher, type MeterCipher } from './meter-cipher.js';
import { generateFleetMeters, type FleetMeterSpec } from './fleet-meters.js';

export interface FleetSimulatorOptions {
  /** A number of meters to generate, or the meters of a meters file. */
  meters: number | readonly FleetMeterSpec[];
  /** Deterministic keys and titles (tests and benchmarks only); default: the CSPRNG. */
  seed?: number;
  /** The families to mix; default every one the simulator plays. */
  profiles?: readonly string[];
  /**
   * Every frame from the generic encoders (encodeSimulatedPlaintext, protectAndFrame), without templates or the
   * in-place envelope and link writers: for tests that the fast path sends the same bytes.
   */
  generic?: boolean;
}

export interface ExpectedReading { obis: string; unit?: string; value: number }

export interface FleetFrame {
  bytes: Uint8Array;
  /** The invocation counter of the security envelope (encrypted families). */
  frameCounter?: number;
  /** The meter's clock (whole seconds, as the frame carries it). */
  meterTimeMs: number;
  /** What the decoder must return for the values this frame carries. */
  readings: ExpectedReading[];
}

export interface FleetSimulator {
  readonly meters: readonly FleetMeterSpec[];
  /** Meter i's next message at `nowMs` (its counter goes up by one per call, at least to its clock). */
  frame(meterIndex: number, nowMs: number): FleetFrame;
  /** The same as `frame(...).bytes` without building the expected readings. */
  bytes(meterIndex: number, nowMs: number): Uint8Array;
  /**
   * The same as `bytes`, possibly as a view of a buffer the next call overwrites (the publisher's hot path: it
   * copies the frame into its packet buffer at once).
   */
  view(meterIndex: number, nowMs: number): Uint8Array;
  /** The push interval of meter i's family, in ms. */
  intervalMs(meterIndex: number): number;
}

/** FNV-1a: a household seed from the meter number, so a meters file gives the same households on every run. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

interface Household { scale: number; offsetWh: number; gasScale: number }

function householdOf(meterId: string): Household {
  const rnd = prng(hash32(meterId));
  return { scale: 0.4 + 2.1 * rnd(), offsetWh: Math.round(rnd() * 5_000_000), gasScale: 0.3 + 1.4 * rnd() };
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The meter model's state for this household: energy and power scaled by its size, counters offset by its
 * history. Linear in the model's counters, so they still never step back.
 */
function householdState(s: MeterState, h: Household): MeterState {
  const k = h.scale, base = h.offsetWh / 4;
  const i1 = base + k * s.energyImportT1Wh, i2 = base + k * s.energyImportT2Wh;
  const x1 = base + k * s.energyExportT1Wh, x2 = base + k * s.energyExportT2Wh;
  return {
    timeMs: s.timeMs, tariff: s.tariff, voltage: s.voltage, powerFactor: s.powerFactor,
    energyImportWh: i1 + i2, energyImportT1Wh: i1, energyImportT2Wh: i2,
    energyExportWh: x1 + x2, energyExportT1Wh: x1, energyExportT2Wh: x2,
    reactiveImportVarh: base + k * s.reactiveImportVarh, reactiveExportVarh: base + k * s.reactiveExportVarh,
    powerImportW: Math.round(k * s.powerImportW), powerExportW: Math.round(k * s.powerExportW),
    reactivePowerImportVar: Math.round(k * s.reactivePowerImportVar), reactivePowerExportVar: Math.round(k * s.reactivePowerExportVar),
    current: [r2(k * s.current[0]), r2(k * s.current[1]), r2(k * s.current[2])],
    gasM3: h.gasScale * s.gasM3,
  };
}

interface FamilyPlan {
  profile: Profile; recipe: SimRecipe; template?: FrameTemplate;
  /** The field values of the frame being built (one array per family, reused). */
  values: number[];
  /** The in-place link writer (null: none fits), compiled at the family's first frame. */
  link?: LinkWriter | null;
}

/** Compiles each family's template once per process, checked against the real encoder with random inputs. */
const plans = new Map<string, FamilyPlan>();

function planFor(profileId: string): FamilyPlan {
  let plan = plans.get(profileId);
  if (plan) return plan;
  const profile = getProfile(profileId);
  if (!profile) throw new Error(`no built-in profile ${profileId}`);
  const recipe = recipeFor(profileId);
  const rnd = prng(hash32(profileId));
  const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
  const template = compileTemplate(profile, recipe, (i) => {
    const t = Date.UTC(2025, 0, 1) + Math.floor(rnd() * 4 * 365 * 86_400) * 1000;
    const state = householdState(createMeterModel({ seed: i + 1, startMs: t }).step(t), householdOf(digits(8)));
    const k = Math.min(8, recipe.meterNumber.length);
    return { state, counter: Math.floor(rnd() * 2 ** 32), meterNumber: i === 0 ? recipe.meterNumber : recipe.meterNumber.slice(0, -k) + digits(k) };
  });
  plan = { profile, recipe, template, values: [] };
  plans.set(profileId, plan);
  return plan;
}

/** Whether a family's frames come from a compiled template (fast) rather than the generic encoder. */
export function usesTemplate(profileId: string): boolean {
  return planFor(profileId).template !== undefined;
}

interface MeterRuntime {
  plan: FamilyPlan;
  household: Household;
  /** Per meter, its counter updated in place for each frame (no copy per frame). */
  options: SimFrameOptions;
  model?: MeterModel;
  counter: number;
  /** The meter clock's last whole second (ms). */
  lastSecondMs: number;
  /** The in-place envelope writer (encrypted families with a key), made at the first frame. */
  cipher?: MeterCipher | null;
}

/** The envelope is written here, then framed (or handed out as is): one buffer for every meter of the process. */
let apduScratch = new Uint8Array(4096);

const expected = (obis: string, unit: string | undefined, value: number): ExpectedReading =>
  (unit === undefined ? { obis, value } : { obis, unit, value });

/** The link layer is written here (one buffer for the process, like the envelope's). */
let frameScratch = new Uint8Array(8192);

/** The link layer around an APDU; a copy unless the caller takes a view of the scratch buffers. */
function frameApdu(apdu: Uint8Array, plan: FamilyPlan, view: boolean): Uint8Array {
  if (plan.profile.framing === 'dsmr' || plan.profile.framing === 'apdu') return view ? apdu : apdu.slice();
  plan.link ??= compileLinkWriter(plan.profile, plan.recipe, apdu.length) ?? null;
  if (plan.link) {
    // The room compileLinkWriter checked the writer with: headers and checksums never take more.
    if (frameScratch.length < 4 * apdu.length + 1024) frameScratch = new Uint8Array(4 * apdu.length + 1024);
    const end = plan.link(frameScratch, 0, apdu, apdu.length);
    if (end >= 0) return view ? frameScratch.subarray(0, end) : frameScratch.slice(0, end);
  }
  return encodeLink(plan.profile, plan.recipe, apdu);
}

const hexBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

export function createFleetSimulator(o: FleetSimulatorOptions): FleetSimulator {
  const meters = typeof o.meters === 'number' ? generateFleetMeters(o.meters, { seed: o.seed, profiles: o.profiles }) : [...o.meters];
  const runtimes: MeterRuntime[] = meters.map((m) => {
    const plan = planFor(m.profile);
    return {
      plan, household: householdOf(m.meterId), counter: -1, lastSecondMs: -Infinity,
      options: { frameCounter: 0, profile: plan.profile, aes: nodeAesGcm, key: m.guek, authKey: m.gak, recipe: { ...plan.recipe, meterNumber: m.meterId },
        systemTitle: m.systemTitle ? hexBytes(m.systemTitle) : undefined },
    };
  });

  /** Meter i's next frame; its expected readings into `readings` when given. */
  const build = (i: number, nowMs: number, readings: ExpectedReading[] | undefined, view: boolean): Uint8Array => {
    const rt = runtimes[i];
    if (!rt) throw new RangeError(`no meter ${i} in a fleet of ${meters.length}`);
    // Meter clocks tell whole seconds, and a store keys rows on (meter, meter time): a publisher that runs late
    // and catches up must not give one meter two frames in one clock second, so its clock moves on by a second.
    const clockMs = Math.max(nowMs, rt.lastSecondMs + 1000);
    rt.lastSecondMs = Math.floor(clockMs / 1000) * 1000;
    rt.model ??= createMeterModel({ seed: rt.household.offsetWh, startMs: clockMs });
    const state = householdState(rt.model.step(clockMs), rt.household);
    // Tenths of a second since 2024, like the single simulator, and +1 per frame: a restarted fleet continues
    // above its last counters unless it sent more than ten frames a second per meter.
    rt.counter = Math.max(rt.counter + 1, Math.floor((state.timeMs - SIM_EPOCH_MS) / 100)) % 0xffffffff;
    const options = rt.options;
    options.frameCounter = rt.counter;
    const template = o.generic ? undefined : rt.plan.template;
    const values = template ? template.values(state, rt.plan.values) : undefined;
    let plain = template && values ? template.fill(values, state.timeMs, rt.counter, meters[i].meterId) : undefined;
    if (plain && values && readings) {
      template!.fields.forEach((f, k) => readings.push(expected(f.obis, f.unit, values[k])));
    }
    plain ??= encodeSimulatedPlaintext((obis, unit, scaler) => {
      const v = stateValue(state, obis, unit, scaler);
      if (v !== undefined && readings) readings.push(expected(obis, unit, v));
      return v;
    }, state.timeMs, options);
    const sc = rt.plan.recipe.securityControl;
    if (o.generic) return protectAndFrame(plain, options);
    if (rt.cipher === undefined) {
      const m = meters[i];
      rt.cipher = sc !== undefined && m.guek && options.systemTitle ? createMeterCipher(sc, options.systemTitle, m.guek, m.gak) ?? null : null;
    }
    if (rt.cipher) {
      if (apduScratch.length < plain.length + 64) apduScratch = new Uint8Array(2 * plain.length + 64);
      return frameApdu(apduScratch.subarray(0, rt.cipher.seal(apduScratch, 0, plain, 0, plain.length, rt.counter)), rt.plan, view);
    }
    return sc === undefined ? frameApdu(plain, rt.plan, view) : protectAndFrame(plain, options);
  };

  return {
    meters,
    frame: (i, nowMs) => {
      const readings: ExpectedReading[] = [];
      const bytes = build(i, nowMs, readings, false);
      const rt = runtimes[i];
      return { bytes, meterTimeMs: rt.lastSecondMs, readings, frameCounter: rt.plan.recipe.securityControl !== undefined ? rt.counter : undefined };
    },
    bytes: (i, nowMs) => build(i, nowMs, undefined, false),
    view: (i, nowMs) => build(i, nowMs, undefined, true),
    intervalMs: (i) => runtimes[i].plan.profile.intervalMs,
  };
}
