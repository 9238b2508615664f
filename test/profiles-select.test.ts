import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manufacturerFromSystemTitle, selectProfile } from '../src/core/profiles/select.js';
import type { ProfileHints } from '../src/core/profiles/select.js';
import type { FrameKind } from '../src/core/framing/types.js';
import { loadVectors, vector, VECTORS_SKIP } from './support/vectors.js';
import type { Vector } from './support/vectors.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));

test('manufacturerFromSystemTitle', () => {
  assert.equal(manufacturerFromSystemTitle(hex('4B464D1020029802')), 'KFM');
  assert.equal(manufacturerFromSystemTitle(hex('534D5367753EC614')), 'SMS');
  assert.equal(manufacturerFromSystemTitle(hex('49534B69743C103F')), 'ISK');
  assert.equal(manufacturerFromSystemTitle(hex('4B414D4501349083')), 'KAM');
  assert.equal(manufacturerFromSystemTitle(hex('4B46')), '');
  assert.equal(manufacturerFromSystemTitle(hex('00112233')), '');
});

test('selection from hints', () => {
  const cases: [ProfileHints, string | undefined][] = [
    [{ format: 'hdlc', manufacturer: 'SMS', elements: 10 }, 'at-wienernetze-siemens'],
    [{ format: 'hdlc', manufacturer: 'ISK', elements: 9 }, 'at-wienernetze-iskra'],
    [{ format: 'hdlc', manufacturer: 'ISK', elements: 12 }, 'at-kaernten-am550'],
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 33, hasObis: true }, 'at-lg-e450'],
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 14, firstElementTypes: ['integer'] }, 'at-burgenland-lg-e450'],
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 10, hasObis: false, firstElementTypes: ['integer'] }, undefined],
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 29, hasObis: true }, 'at-lg-e450'],
    [{ format: 'hdlc', manufacturer: 'LGZ', selfDescribing: true, pushSetup: '0-8:25.9.0' }, 'ch-lg-e450'],
    [{ format: 'hdlc', selfDescribing: true, pushSetup: '0-6:25.9.0' }, 'ch-iskra-am550'],
    [{ format: 'hdlc', manufacturer: 'LGZ', selfDescribing: true, pushSetup: '0-6:25.9.0' }, 'ch-iskra-am550'],
    [{ format: 'hdlc', manufacturer: 'KFM', selfDescribing: true, pushSetup: '0-8:25.9.0' }, undefined],
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 10, firstElementTypes: ['octet-string'] },
      'at-wienernetze-lg-e450'],
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 10 }, 'at-wienernetze-lg-e450'], // tie: first listed
    [{ format: 'hdlc', manufacturer: 'LGZ', elements: 9, firstElementTypes: ['date-time'] }, 'at-wienernetze-lg-e450'],
    [{ format: 'hdlc', manufacturer: 'SMS', elements: 10, firstElementTypes: ['integer'] }, undefined],
    [{ format: 'mbus', manufacturer: 'KFM', elements: 35 }, 'at-evn-kaifa-ma309'],
    [{ format: 'mbus', manufacturer: 'SAG', elements: 35 }, 'at-evn-sagemcom-t210d'],
    [{ format: 'mbus', manufacturer: 'KFM', elements: 16 }, 'at-ksm-west-kaifa'],
    [{ format: 'mbus', manufacturer: 'ELS', elements: 12 }, 'at-ksm-west-kaifa'],
    [{ format: 'hdlc', elements: 13, hasObis: false }, 'no-kaifa'],
    [{ format: 'hdlc', elements: 25, hasObis: true }, 'no-kamstrup'],
    [{ format: 'hdlc', manufacturer: 'KAM', elements: 65 }, 'dk-kamstrup-omnipower'],
    [{ format: 'apdu', manufacturer: 'SAG' }, 'lu-smarty'],
    [{ format: 'dsmr', dsmrHeader: '/FLU5\\253769484_A' }, 'be-fluvius'],
    [{ format: 'dsmr', dsmrHeader: '/EST5\\253710000_A' }, 'at-steiermark-t210dr'],
    [{ format: 'dsmr', dsmrHeader: '/KFM5KAIFA-METER' }, undefined],
    [{ format: 'hdlc', manufacturer: 'SMS' }, undefined], // positional needs the element count
    [{ format: 'hdlc', manufacturer: 'SMS', elements: 11 }, undefined],
    [{ format: 'hdlc', manufacturer: 'ISK', elements: 9, hasObis: true }, undefined],
    [{ format: 'hdlc', elements: 9, hasObis: true }, undefined], // Aidon: generic OBIS decoder
    [{ format: 'mbus', manufacturer: 'XYZ', elements: 35 }, undefined],
    [{}, undefined],
  ];
  for (const [hints, id] of cases) assert.equal(selectProfile(hints)?.id, id, JSON.stringify(hints));
});

test('selection is deterministic and honours a custom profile list', () => {
  const a = selectProfile({ format: 'mbus', manufacturer: 'KFM', elements: 12 });
  const b = selectProfile({ format: 'mbus', manufacturer: 'KFM', elements: 12 });
  assert.equal(a, b);
  assert.equal(selectProfile({ format: 'hdlc', manufacturer: 'SMS', elements: 10 }, []), undefined);
});

/** Top-level element count of a data-notification APDU given as hex (0F invoke-id date-time body). */
function bodyElements(apduHex: string): number | undefined {
  const b = hex(apduHex);
  if (b[0] !== 0x0f) return undefined;
  let i = 5;
  if (b[i] === 0x0c) i += 13;
  else if (b[i] === 0x09 && b[i + 1] === 0x0c) i += 14; // Kaifa NO: date-time with an octet-string tag
  else if (b[i] === 0x00) i += 1;
  return b[i] === 0x01 || b[i] === 0x02 ? b[i + 1] : undefined;
}

function hintsOf(v: Vector, format: FrameKind): ProfileHints {
  const raw = v.raw_hex ?? '';
  const st = raw.toLowerCase().indexOf('db08');
  const h: ProfileHints = { format };
  if (st >= 0) h.manufacturer = manufacturerFromSystemTitle(hex(raw.slice(st + 4, st + 20)));
  const plain = v.hints?.decrypted_plaintext_hex ?? raw.slice(raw.toLowerCase().indexOf('e6e700') + 6);
  h.elements = bodyElements(plain);
  h.hasObis = (v.hints?.observed_decoded_leaves ?? []).some((x) => typeof x === 'string' && /^[0-9a-f]{12}$/.test(x) &&
    x !== '0006190900ff');
  return h;
}

const FROM_VECTORS: [string, FrameKind, string | undefined][] = [
  ['wn-siemens-sms', 'hdlc', 'at-wienernetze-siemens'],
  ['wn-iskra-isk', 'hdlc', 'at-wienernetze-iskra'],
  ['kaernten-kelag-am550-gh787-1', 'hdlc', 'at-kaernten-am550'],
  ['kaernten-am550-shrdzm', 'hdlc', 'at-kaernten-am550'],
  ['evn-netznoe-doc-example', 'mbus', 'at-evn-kaifa-ma309'],
  ['evn-sagemcom-energyagent', 'mbus', 'at-evn-sagemcom-t210d'],
  ['evn-sagemcom-L01-quirk', 'mbus', 'at-evn-sagemcom-t210d'],
  ['tirol-kaifa-fneur-example', 'mbus', 'at-ksm-west-kaifa'],
  ['vorarlberg-vkw-capture', 'mbus', 'at-ksm-west-kaifa'],
  ['other-lg-e450-gbt-3frames', 'hdlc', 'at-lg-e450'],
  ['no-kaifa-ma304h3e', 'hdlc', 'no-kaifa'],
  ['no-kamstrup-amshan', 'hdlc', 'no-kamstrup'],
  ['dk-kamstrup-omnipower-encrypted', 'hdlc', 'dk-kamstrup-omnipower'],
  ['no-aidon-1phase', 'hdlc', undefined],
];

test('selection for the public captures', { skip: loadVectors() ? false : VECTORS_SKIP }, () => {
  for (const [vid, format, id] of FROM_VECTORS) {
    const v = vector(vid);
    assert.ok(v, vid);
    const hints = hintsOf(v, format);
    assert.equal(selectProfile(hints)?.id, id, `${vid} ${JSON.stringify(hints)}`);
  }
  for (const v of loadVectors() ?? []) {
    if (!v.raw_text) continue;
    const header = v.raw_text.split('\r\n')[0];
    const id = selectProfile({ format: 'dsmr', dsmrHeader: header })?.id;
    const want = header.startsWith('/FLU') ? 'be-fluvius' : header.startsWith('/EST') ? 'at-steiermark-t210dr' : undefined;
    assert.equal(id, want, `${v.id} ${header}`);
  }
});
