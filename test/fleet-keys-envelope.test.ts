/**
 * The fleet key store without a database: master key loading (env forms, file permissions), envelope sealing
 * bound to the meter id, the CSV validation, and what a cached meter shows when logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { openMeterKeys, rewrapDataKey, sealMeterKeys } from '../src/fleet/keys/envelope.js';
import { isKeyStoreError } from '../src/fleet/keys/key-store-error.js';
import { keyFingerprint, loadMasterKey, parseMasterKeyText, readMasterKeyFile } from '../src/fleet/keys/master-key.js';
import { parseCsv, parseMetersCsv } from '../src/fleet/keys/meters-csv.js';
import { CachedMeter } from '../src/fleet/keys/cached-meter.js';
import { MeterTable } from '../src/fleet/keys/meter-table.js';
import { NegativeCache } from '../src/fleet/keys/negative-cache.js';
import { isMeterError } from '../src/core/errors.js';
import { tempDir } from './fleet-keys-pg-support.js';

const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);

test('master key: 64 hex digits and base64 name the same key; malformed text is refused without echoing it', () => {
  const raw = randomBytes(32);
  const a = parseMasterKeyText(raw.toString('hex'), 'env');
  const b = parseMasterKeyText(raw.toString('base64'), 'env');
  const c = parseMasterKeyText(raw.toString('base64url'), 'env');
  assert.equal(a.id, b.id);
  assert.equal(a.id, c.id);
  assert.match(a.id, /^[0-9a-f]{16}$/);
  assert.notEqual(a.id, parseMasterKeyText(randomBytes(32).toString('hex'), 'env').id);
  const short = raw.toString('hex').slice(0, 60);
  assert.throws(() => parseMasterKeyText(short, 'METERWIRE_MASTER_KEY'), (e: unknown) => {
    assert.ok(isMeterError(e) && e.code === 'BAD_CONFIG');
    assert.match(e.message, /METERWIRE_MASTER_KEY.*malformed/);
    assert.ok(!e.message.includes(short));
    return true;
  });
  assert.throws(() => loadMasterKey({ env: {} }), /no master key: set METERWIRE_MASTER_KEY/);
  assert.equal(loadMasterKey({ env: { METERWIRE_MASTER_KEY: raw.toString('hex') } }).id, a.id);
});

test('master key file: read when only the owner may read it (text or 32 raw bytes), refused like ssh when group/others may', () => {
  const t = tempDir();
  try {
    const raw = randomBytes(32);
    const id = parseMasterKeyText(raw.toString('hex'), 'x').id;
    assert.equal(readMasterKeyFile(t.file('hex.key', raw.toString('hex') + '\n', 0o600)).id, id);
    assert.equal(readMasterKeyFile(t.file('raw.key', raw, 0o400)).id, id);
    for (const mode of [0o640, 0o604, 0o644, 0o660]) {
      const p = t.file(`open-${mode.toString(8)}.key`, raw.toString('hex'), mode);
      assert.throws(() => readMasterKeyFile(p), (e: unknown) => {
        assert.ok(isMeterError(e));
        assert.match(e.message, new RegExp(`accessible by group or others \\(mode 0${mode.toString(8)}\\).*chmod 600`));
        assert.ok(!e.message.includes(raw.toString('hex')));
        return true;
      });
    }
    assert.throws(() => readMasterKeyFile(`${t.dir}/missing.key`), /cannot open the master key file .*ENOENT/);
    assert.throws(() => readMasterKeyFile(t.dir), /not a regular file/);
  } finally {
    t.remove();
  }
});

test('envelope: keys round-trip; each seal uses a fresh data key; the ciphertext opens only for its own meter id', () => {
  const master = parseMasterKeyText(randomBytes(32).toString('hex'), 'test');
  const guek = randomBytes(16);
  const gak = randomBytes(16);
  const a = sealMeterKeys(master, 'meter-a', { guek, gak });
  const again = sealMeterKeys(master, 'meter-a', { guek, gak });
  assert.notDeepEqual(a.wrappedDataKey, again.wrappedDataKey);
  assert.notDeepEqual(a.encryptedKeys, again.encryptedKeys);
  const opened = openMeterKeys(master, 'meter-a', a);
  assert.equal(hex(opened.guek), guek.toString('hex'));
  assert.equal(hex(opened.gak), gak.toString('hex'));
  assert.deepEqual(openMeterKeys(master, 'm', sealMeterKeys(master, 'm', {})), {});
  const onlyGuek = openMeterKeys(master, 'm', sealMeterKeys(master, 'm', { guek }));
  assert.equal(hex(onlyGuek.guek), guek.toString('hex'));
  assert.equal(onlyGuek.gak, undefined);
  for (const blob of [a.wrappedDataKey, a.encryptedKeys]) {
    assert.ok(!blob.includes(guek) && !blob.includes(gak), 'no key in clear in a stored blob');
  }

  const b = sealMeterKeys(master, 'meter-b', { guek: randomBytes(16) });
  const mixes = [
    { ...a, wrappedDataKey: b.wrappedDataKey, encryptedKeys: b.encryptedKeys },
    { ...a, encryptedKeys: b.encryptedKeys },
    { ...a, wrappedDataKey: b.wrappedDataKey },
  ];
  for (const sealed of mixes) {
    assert.throws(() => openMeterKeys(master, 'meter-a', sealed), (e: unknown) => {
      assert.ok(isKeyStoreError(e) && e.reason === 'tampered');
      assert.match(e.message, /stored keys of meter meter-a do not open.*another meter/);
      return true;
    });
  }
  const flipped = Buffer.from(a.encryptedKeys);
  flipped[20] ^= 1;
  assert.throws(() => openMeterKeys(master, 'meter-a', { ...a, encryptedKeys: flipped }), /do not open/);
});

test('envelope: another master key is one clear error naming key ids, never a key; rewrap moves rows to a new master key', () => {
  const master = parseMasterKeyText(randomBytes(32).toString('hex'), 'the old file');
  const other = parseMasterKeyText(randomBytes(32).toString('hex'), 'METERWIRE_MASTER_KEY');
  const guek = randomBytes(16);
  const sealed = sealMeterKeys(master, 'm1', { guek });
  assert.throws(() => openMeterKeys(other, 'm1', sealed), (e: unknown) => {
    assert.ok(isKeyStoreError(e) && e.reason === 'wrong-master-key');
    assert.equal(e.message, `master key does not open the key store (key id ${master.id}; ` +
      `the master key from METERWIRE_MASTER_KEY has key id ${other.id})`);
    return true;
  });
  // The same id but another key (a forged key id column) does not open either.
  assert.throws(() => openMeterKeys(other, 'm1', { ...sealed, masterKeyId: other.id }), /do not open/);

  const moved = rewrapDataKey(master, other, 'm1', sealed);
  assert.equal(moved.masterKeyId, other.id);
  assert.equal(moved.encryptedKeys, sealed.encryptedKeys);
  assert.equal(hex(openMeterKeys(other, 'm1', moved).guek), guek.toString('hex'));
  assert.throws(() => openMeterKeys(master, 'm1', moved), /master key does not open the key store/);
  assert.throws(() => rewrapDataKey(master, other, 'm2', sealed), /stored keys of meter m2 do not open/);
});

test('fingerprints depend on the key and the master key, and do not contain the key', () => {
  const m1 = parseMasterKeyText(randomBytes(32).toString('hex'), 't');
  const m2 = parseMasterKeyText(randomBytes(32).toString('hex'), 't');
  const k = randomBytes(16);
  assert.match(keyFingerprint(m1, k), /^[0-9a-f]{16}$/);
  assert.equal(keyFingerprint(m1, k), keyFingerprint(m1, Buffer.from(k)));
  assert.notEqual(keyFingerprint(m1, k), keyFingerprint(m2, k));
  assert.notEqual(keyFingerprint(m1, k), keyFingerprint(m1, randomBytes(16)));
  assert.ok(!k.toString('hex').includes(keyFingerprint(m1, k)));
});

test('a cached meter logs and serialises without its keys, yet its keys are plain fields', () => {
  const guek = randomBytes(16);
  const m = new CachedMeter({ meterId: 'm', topicId: 't', timeZone: 'Europe/Vienna' }, { guek });
  for (const text of [JSON.stringify(m), inspect(m), inspect({ nested: [m] }, { depth: 5 })]) {
    assert.ok(!text.includes(guek.toString('hex')), text);
    assert.ok(!text.includes(String(guek[0]) + ', ' + String(guek[1])), text);
    assert.match(text, /\[set\]/);
  }
  assert.equal(hex(m.guek), guek.toString('hex'));
  assert.equal(hex({ ...m }.guek), guek.toString('hex'));
});

test('the meter table keeps keys packed, hands out views, and never shows them', () => {
  const table = new MeterTable();
  const guek = randomBytes(16);
  const gak = randomBytes(16);
  table.set({ meterId: 'm1', topicId: 't1', timeZone: 'Europe/Vienna', systemTitle: '4D4D4D0000BC614E' }, { guek, gak }, 100);
  table.set({ meterId: 'm2', topicId: 't2', timeZone: 'UTC', profile: 'lu-smarty' }, { gak: guek }, 100);
  table.set({ meterId: 't3', topicId: 't3', timeZone: 'UTC' }, {}, 5);
  const get = (topic: string) => table.meter(table.slotOf(topic), topic);
  const m1 = get('t1');
  assert.equal(hex(m1.guek), guek.toString('hex'));
  assert.equal(hex(m1.gak), gak.toString('hex'));
  assert.deepEqual([m1.meterId, m1.topicId, m1.systemTitle, m1.profile, m1.timeZone], ['m1', 't1', '4D4D4D0000BC614E', undefined, 'Europe/Vienna']);
  const m2 = get('t2');
  assert.equal(m2.guek, undefined);
  assert.equal(hex(m2.gak), guek.toString('hex'));
  assert.deepEqual([m2.profile, m2.timeZone, m2.systemTitle], ['lu-smarty', 'UTC', undefined]);
  assert.deepEqual([get('t3').guek, get('t3').gak, get('t3').meterId], [undefined, undefined, 't3']);
  assert.equal(table.slotOf('nope'), -1);
  assert.equal(table.freshAt(table.slotOf('t3'), 4), true);
  assert.equal(table.freshAt(table.slotOf('t3'), 5), false);
  for (const text of [JSON.stringify(table), inspect(table), JSON.stringify(m1), inspect(m1), inspect({ nested: [m1, m2] }, { depth: 5 })]) {
    for (const k of [guek, gak]) assert.ok(!text.includes(k.toString('hex')), text);
  }
  assert.equal(table.size, 3);
});

test('the meter table: a meter moving topic, evictions by meter id, and views that outlive an eviction', () => {
  const table = new MeterTable();
  const keyOf = (i: number) => Buffer.alloc(16, i & 0xff);
  table.set({ meterId: 'm1', topicId: 't1', timeZone: 'UTC' }, { guek: keyOf(1) }, 100);
  const held = table.meter(table.slotOf('t1'), 't1');
  table.set({ meterId: 'm1', topicId: 't1b', timeZone: 'UTC' }, { guek: keyOf(2) }, 100);
  assert.equal(table.slotOf('t1'), -1, 'the old topic id is forgotten');
  assert.equal(hex(table.meter(table.slotOf('t1b'), 't1b').guek), keyOf(2).toString('hex'));
  table.deleteMeter('m1');
  assert.equal(table.slotOf('t1b'), -1);
  table.set({ meterId: 'x', topicId: 'x', timeZone: 'UTC' }, { guek: keyOf(3) }, 100);
  table.deleteMeter('x');
  assert.equal(table.size, 0);
  // Thousands of meters come and go (compaction, growth): every live one keeps its own keys; a view handed out
  // before all of it still shows the key it was given.
  for (let i = 0; i < 5000; i++) {
    table.set({ meterId: `m${i}`, topicId: `t${i}`, timeZone: 'UTC' }, { guek: keyOf(i), gak: keyOf(i + 1) }, 100);
    if (i % 3 === 0) table.deleteMeter(`m${i}`);
  }
  table.clear();
  for (let i = 0; i < 3000; i++) table.set({ meterId: `m${i}`, topicId: `t${i}`, timeZone: 'UTC' }, { guek: keyOf(i + 7) }, 100);
  for (let i = 0; i < 3000; i += 2) table.deleteMeter(`m${i}`);
  for (let i = 3000; i < 6000; i++) table.set({ meterId: `m${i}`, topicId: `t${i}`, timeZone: 'UTC' }, { guek: keyOf(i + 7) }, 100);
  assert.equal(table.size, 1500 + 3000);
  for (let i = 1; i < 6000; i += i < 3000 ? 2 : 1) {
    const m = table.meter(table.slotOf(`t${i}`), `t${i}`);
    assert.equal(m.meterId, `m${i}`);
    assert.equal(hex(m.guek), keyOf(i + 7).toString('hex'), `meter ${i}`);
    assert.equal(m.gak, undefined);
  }
  assert.equal(hex(held.guek), keyOf(1).toString('hex'), 'a view handed out is never overwritten');
});

test('negative cache: bounded, oldest dropped first, entries expire', () => {
  const c = new NegativeCache(1000, 3);
  for (const k of ['a', 'b', 'c', 'd']) c.add(k, 0);
  assert.equal(c.size, 3);
  assert.equal(c.has('a', 1), false);
  assert.equal(c.has('d', 1), true);
  assert.equal(c.has('d', 1000), false);
  for (let i = 0; i < 10_000; i++) c.add(`random-${i}`, 5);
  assert.equal(c.size, 3);
});

const KEY_A = '000102030405060708090A0B0C0D0E0F';
const KEY_B = 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF';

test('CSV: quoted fields, CRLF, BOM, aliases and defaults', () => {
  assert.deepEqual(parseCsv('a,"b,""c"""\r\n\r\n"multi\nline",x\n').map((r) => [r.line, r.fields]),
    [[1, ['a', 'b,"c"']], [3, ['multi\nline', 'x']]]);
  const rows = parseMetersCsv(`\ufeffGateway ID,System-Title,Profile,GUEK,GAK,TZ\ngw1,4d4d4d0000bc614e,,${KEY_A},${KEY_B},\n` +
    `gw2,,auto,METERWIREDEMOKEY,,Europe/Berlin\n`, { defaultTimeZone: 'Europe/Zurich' });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].meterId, 'gw1');
  assert.equal(rows[0].systemTitle, '4D4D4D0000BC614E');
  assert.equal(rows[0].profile, undefined);
  assert.equal(rows[0].timeZone, 'Europe/Zurich');
  assert.equal(hex(rows[0].guek), KEY_A.toLowerCase());
  assert.equal(hex(rows[0].gak), KEY_B.toLowerCase());
  assert.equal(rows[1].timeZone, 'Europe/Berlin');
  assert.equal(Buffer.from(rows[1].guek!).toString('latin1'), 'METERWIREDEMOKEY');
  assert.equal(rows[1].gak, undefined);
});

test('CSV: every bad row is reported with its line number and reason, never with a key', () => {
  const badKey = '0011223344556677889900AABBCCDD'; // 30 digits
  const csv = [
    'topic_id,meter_id,system_title,profile,guek,gak,time_zone',
    `ok1,,,,${KEY_A},,`,
    `bad/topic,,,,${KEY_A},,`,
    `ok2,,XYZ,,${badKey},,`,
    `ok3,,,no-such-profile,,,Mars/Olympus`,
    `ok1,,,,,,`,
    `ok4,ok2,,,,${badKey},`,
    `short,row`,
  ].join('\n');
  assert.throws(() => parseMetersCsv(csv), (e: unknown) => {
    assert.ok(isMeterError(e) && e.code === 'BAD_INPUT');
    const m = e.message;
    assert.match(m, /^6 invalid row\(s\), nothing imported/);
    assert.match(m, /line 3: topic id "bad\/topic" contains \/, \+ or #/);
    assert.match(m, /line 4: system title must be 16 hex digits.*guek is malformed \(30 hex digits\)/);
    assert.match(m, /line 5: unknown profile "no-such-profile".*time zone "Mars\/Olympus" is not an IANA time zone/);
    assert.match(m, /line 6: meter id "ok1" is also on line 2; topic id "ok1" is also on line 2/);
    assert.match(m, /line 7: gak is malformed \(30 hex digits\).*meter id "ok2" is also on line 4/);
    assert.match(m, /line 8: 2 fields, the header has 7/);
    assert.doesNotMatch(m, /line 2:/);
    assert.ok(!m.includes(badKey) && !m.includes(KEY_A), 'no key in the message');
    return true;
  });
  assert.throws(() => parseMetersCsv('meter_id,guek\nm1,\n'), /line 1: no topic column/);
  assert.throws(() => parseMetersCsv('topic,guk\nm1,x\n'), /line 1: unknown column\(s\) "guk"/);
  assert.throws(() => parseMetersCsv(''), /the CSV file is empty/);
  assert.throws(() => parseMetersCsv('topic\n"open\n'), /line 2: a quoted field is not closed/);
  assert.throws(() => parseMetersCsv('topic\nx\n', { defaultTimeZone: 'Nowhere/City' }), /--tz "Nowhere\/City"/);
});
