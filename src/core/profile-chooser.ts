/**
 * Chooses the profile of each message and owns the memo of that choice (a meter repeats itself every few
 * seconds). Selection itself is profiles/select.ts (pure scoring over profile data); this adds:
 * - the forced profile (`--profile`) and what automatic selection would have picked, to notice a forced profile
 *   that does not fit the meter;
 * - for positional lists, the whole type signature: a candidate's layout must fit every element
 *   (dlms/layout-check.ts), not only the element count (select.ts scores by count, manufacturer, header);
 * - the envelope's view before decryption: whether every profile that fits the framing and manufacturer needs
 *   a tag (downgrade protection) and which published GAK to try.
 */
import type { FrameKind } from './framing/types.js';
import type { PositionalLayout, Profile } from './profiles/types.js';
import { rankProfiles, type ProfileHints } from './profiles/select.js';
import { compileLayout, layoutFor, type CompiledLayout } from './dlms/layout-check.js';
import type { DlmsValue } from './dlms/types.js';
import { hasTag } from './security/security-control.js';
import { parseKey } from './security/keys.js';

export interface ChooserConfig {
  readonly profile?: Profile;
  readonly profiles: readonly Profile[];
}

/** Hints of one message; `items` are the body's top-level elements (positional lists are checked against them). */
export type MessageHints = ProfileHints & { items?: readonly DlmsValue[] };

export interface ProfileChooser {
  /** The profile to decode with: the forced one, else the best automatic fit. */
  choose(hints: MessageHints): Profile | undefined;
  /** What automatic selection picks, ignoring a forced profile. */
  auto(hints: MessageHints): Profile | undefined;
  /** The layout auto() last found to fit these very items (so they need not be checked twice), if any. */
  fitted(items: readonly DlmsValue[]): PositionalLayout | undefined;
  /**
   * What the profiles the envelope could belong to say about tags: `always` (every one sends tags only, so a
   * tag-less frame is a downgrade), `never` (every one sends tag-less frames: a GAK has nothing to verify), or
   * `unknown`.
   */
  tagPolicy(format: FrameKind, manufacturer: string): TagPolicy;
  /**
   * An operator-published GAK one of the envelope's candidate profiles has (Luxembourg): worth trying when none
   * is configured. A tag that does not verify with it is not an error (the meter may be another candidate's).
   */
  defaultAuthKey(format: FrameKind, manufacturer: string): Uint8Array | undefined;
}

const MAX_MEMO = 256;

function memoKey(h: MessageHints): string {
  return `${h.format}|${h.manufacturer}|${h.dsmrHeader}|${h.elements}|${h.hasObis}|${h.firstElementTypes?.[0]}|` +
    `${h.selfDescribing}|${h.pushSetup}|${h.attributeList}`;
}

/** The same hints as last time (a meter repeats itself): no key string is built. */
function sameHints(a: MessageHints, b: MessageHints): boolean {
  return a.format === b.format && a.manufacturer === b.manufacturer && a.dsmrHeader === b.dsmrHeader &&
    a.elements === b.elements && a.hasObis === b.hasObis && a.firstElementTypes?.[0] === b.firstElementTypes?.[0] &&
    a.selfDescribing === b.selfDescribing && a.pushSetup === b.pushSetup && a.attributeList === b.attributeList;
}

export type TagPolicy = 'always' | 'never' | 'unknown';

/** A profile's tag policy: from the security controls it lists, else from the keys it needs. */
function tagPolicyOf(p: Profile): TagPolicy {
  const scs = p.securityControls;
  if (scs === undefined || scs.length === 0) return p.keys.includes('GAK') ? 'always' : 'unknown';
  if (scs.every(hasTag)) return 'always';
  return scs.some(hasTag) ? 'unknown' : 'never';
}

/** What the profiles an envelope may belong to say, worked out once per framing and manufacturer. */
interface EnvelopeFacts {
  format: FrameKind;
  manufacturer: string;
  tags: TagPolicy;
  defaultAuthKey: Uint8Array | undefined;
}

function envelopeFacts(candidates: readonly Profile[], format: FrameKind, manufacturer: string): EnvelopeFacts {
  // Candidates whose policy is unknown do not veto the others; candidates that disagree make it unknown.
  const known = new Set(candidates.map(tagPolicyOf).filter((x) => x !== 'unknown'));
  const withKey = candidates.find((x) => x.defaultAuthKey !== undefined)?.defaultAuthKey;
  return { format, manufacturer, tags: known.size === 1 ? [...known][0] : 'unknown',
    defaultAuthKey: withKey === undefined ? undefined : parseKey(withKey, 'GAK') };
}

export function createProfileChooser(config: ChooserConfig): ProfileChooser {
  const ranked = new Map<string, Profile[]>();
  const envelopes = new Map<string, EnvelopeFacts>();
  let lastHints: MessageHints | undefined;
  let lastRanking: Profile[] = [];
  let lastEnvelope: EnvelopeFacts | undefined;
  let fittedItems: readonly DlmsValue[] | undefined;
  let fittedLayout: PositionalLayout | undefined;
  const compiledLayouts = new Map<PositionalLayout, CompiledLayout>();

  /** Layouts compiled once per decoder: the profiles are immutable, and few (bounded by the profile list). */
  function compiled(layout: PositionalLayout): CompiledLayout {
    let c = compiledLayouts.get(layout);
    if (c === undefined) {
      c = compileLayout(layout);
      if (compiledLayouts.size < 4 * MAX_MEMO) compiledLayouts.set(layout, c);
    }
    return c;
  }

  function ranking(h: MessageHints): Profile[] {
    if (lastHints !== undefined && sameHints(lastHints, h)) return lastRanking;
    const key = memoKey(h);
    let r = ranked.get(key);
    if (r === undefined) {
      const { items: _items, ...hints } = h;
      r = rankProfiles(hints, config.profiles);
      if (ranked.size < MAX_MEMO) ranked.set(key, r);
    }
    lastHints = h;
    lastRanking = r;
    return r;
  }

  function auto(h: MessageHints): Profile | undefined {
    const candidates = ranking(h);
    for (const p of candidates) {
      if (p.payload !== 'positional' || h.items === undefined || h.elements === undefined) return p;
      const found = layoutFor(p.layouts, h.items, compiled);
      if (found && !found.mismatch) {
        fittedItems = h.items;
        fittedLayout = found.layout;
        return p;
      }
    }
    return undefined;
  }

  /** Profiles an envelope of this framing and manufacturer may belong to (manufacturer lists must name it). */
  function envelope(format: FrameKind, manufacturer: string): EnvelopeFacts {
    const last = lastEnvelope;
    if (last && last.format === format && last.manufacturer === manufacturer) return last;
    const key = `${format}|${manufacturer}`;
    let facts = envelopes.get(key);
    if (facts === undefined) {
      const m = manufacturer.toUpperCase();
      const candidates = config.profile ? [config.profile] : config.profiles.filter((p) => p.keys.length > 0 &&
        (p.match?.framing ?? [p.framing]).includes(format) && p.match?.manufacturers?.some((x) => x.toUpperCase() === m));
      facts = envelopeFacts(candidates, format, manufacturer);
      if (envelopes.size < MAX_MEMO) envelopes.set(key, facts);
    }
    lastEnvelope = facts;
    return facts;
  }

  return {
    choose: (h) => config.profile ?? auto(h),
    auto,
    fitted: (items) => (items === fittedItems ? fittedLayout : undefined),
    tagPolicy: (format, manufacturer) => envelope(format, manufacturer).tags,
    defaultAuthKey: (format, manufacturer) => envelope(format, manufacturer).defaultAuthKey,
  };
}
