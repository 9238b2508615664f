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
import type { Profile } from './profiles/types.js';
import { rankProfiles, type ProfileHints } from './profiles/select.js';
import { layoutFor } from './dlms/layout-check.js';
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

export type TagPolicy = 'always' | 'never' | 'unknown';

/** A profile's tag policy: from the security controls it lists, else from the keys it needs. */
function tagPolicyOf(p: Profile): TagPolicy {
  const scs = p.securityControls;
  if (scs === undefined || scs.length === 0) return p.keys.includes('GAK') ? 'always' : 'unknown';
  if (scs.every(hasTag)) return 'always';
  return scs.some(hasTag) ? 'unknown' : 'never';
}

export function createProfileChooser(config: ChooserConfig): ProfileChooser {
  const ranked = new Map<string, Profile[]>();
  const envelope = new Map<string, Profile[]>();
  const parsedKeys = new Map<string, Uint8Array>();

  function ranking(h: MessageHints): Profile[] {
    const key = memoKey(h);
    let r = ranked.get(key);
    if (r === undefined) {
      const { items: _items, ...hints } = h;
      r = rankProfiles(hints, config.profiles);
      if (ranked.size < MAX_MEMO) ranked.set(key, r);
    }
    return r;
  }

  function auto(h: MessageHints): Profile | undefined {
    const candidates = ranking(h);
    for (const p of candidates) {
      if (p.payload !== 'positional' || h.items === undefined || h.elements === undefined) return p;
      const found = layoutFor(p.layouts, h.items);
      if (found && !found.mismatch) return p;
    }
    return undefined;
  }

  /** Profiles an envelope of this framing and manufacturer may belong to (manufacturer lists must name it). */
  function envelopeCandidates(format: FrameKind, manufacturer: string): Profile[] {
    if (config.profile) return [config.profile];
    const key = `${format}|${manufacturer}`;
    let c = envelope.get(key);
    if (c === undefined) {
      const m = manufacturer.toUpperCase();
      c = config.profiles.filter((p) => p.keys.length > 0 && (p.match?.framing ?? [p.framing]).includes(format) &&
        p.match?.manufacturers?.some((x) => x.toUpperCase() === m));
      if (envelope.size < MAX_MEMO) envelope.set(key, c);
    }
    return c;
  }

  return {
    choose: (h) => config.profile ?? auto(h),
    auto,
    tagPolicy(format, manufacturer) {
      // Candidates whose policy is unknown do not veto the others; candidates that disagree make it unknown.
      const known = new Set(envelopeCandidates(format, manufacturer).map(tagPolicyOf).filter((x) => x !== 'unknown'));
      return known.size === 1 ? [...known][0] : 'unknown';
    },
    defaultAuthKey(format, manufacturer) {
      const p = envelopeCandidates(format, manufacturer).find((x) => x.defaultAuthKey !== undefined);
      if (!p?.defaultAuthKey) return undefined;
      let key = parsedKeys.get(p.defaultAuthKey);
      if (key === undefined) parsedKeys.set(p.defaultAuthKey, key = parseKey(p.defaultAuthKey, 'GAK'));
      return key;
    },
  };
}
