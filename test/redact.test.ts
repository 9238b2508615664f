/**
 * The redaction module on its own: URL forms that leaked before (empty user, `?password=`-style parameters,
 * passwords holding "@" or ":"), configuration objects with keys, and random secrets in every encoding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRedactor, isSecretName, redactConfig, redactText, redactUrl, REDACTED } from '../src/redact/index.js';
import { assertNoSecret, key, password } from './redact-support.js';

test('redactUrl: the forms that leaked before', () => {
  assert.equal(redactUrl('mqtt://:hunter22@broker:1883/t'), 'mqtt://:***@broker:1883/t');
  assert.equal(redactUrl('mqtt://u:p@ss:w@rd@broker/t'), 'mqtt://u:***@broker/t');
  for (const name of ['password', 'pass', 'token', 'key', 'secret', 'api_key', 'access_token', 'authKey']) {
    assert.equal(redactUrl(`mqtt://broker/t?clientId=a&${name}=s3cr3t&qos=1`), `mqtt://broker/t?clientId=a&${name}=***&qos=1`, name);
  }
  assert.equal(redactUrl('mqtt://broker/t?password=x@y'), 'mqtt://broker/t?password=***');
  assert.equal(redactUrl('mqtt://u:pa/ss@broker/t'), 'mqtt://u:***@broker/t', 'raw "/" in a password');
  assert.equal(redactUrl('mqtt://u:a?b=c@broker/t'), 'mqtt://u:***@broker/t', 'raw "?" in a password');
});

test('redactUrl: what is not secret stays, so logs still say where', () => {
  for (const u of ['tcp://10.0.0.1:2001', 'mysql://root@127.0.0.1/test', 'sqlite:./data/meterwire.db?retention=30d',
    'mqtts://b/t?ca=/etc/ca.pem&keyFile=/etc/k.pem', 'mqtt://b/meters/#', 'file:capture.bin', '/dev/ttyUSB0', '-']) {
    assert.equal(redactUrl(u), u);
  }
  assert.equal(redactUrl('postgres://u:pw@db:5432/m?schema=mw'), 'postgres://u:***@db:5432/m?schema=mw');
});

test('isSecretName: secrets, and the names that only point at one', () => {
  for (const n of ['key', 'authKey', 'masterKey', 'password', 'PASSWORD', 'pwd', 'token', 'client_secret', 'x-api-key', 'guek', 'gak', 'sslpassword']) {
    assert.ok(isSecretName(n), n);
  }
  for (const n of ['keyFile', 'passwordFile', 'username', 'user', 'clientId', 'authSource', 'ca', 'cert', 'topic', 'retention', 'qos']) {
    assert.ok(!isSecretName(n), n);
  }
});

test('redactText: URLs and secret assignments inside messages', () => {
  assert.equal(redactText('cannot connect to mqtt://u:pw@h:1/x: ECONNREFUSED'), 'cannot connect to mqtt://u:***@h:1/x: ECONNREFUSED');
  assert.equal(redactText('bad option token=abc, password="a b"'), 'bad option token=***, password=***');
  assert.equal(redactText('wrong key: check the GUEK'), 'wrong key: check the GUEK');
  assert.equal(redactText('mqtt://:pw@h/t?token=abc: connecting (mqtt://u:pw@h/t?key=k).'),
    'mqtt://:***@h/t?token=***: connecting (mqtt://u:***@h/t?key=***).', 'punctuation after a URL stays');
});

test('redactConfig: key fields, hex keys under any name, URLs; unset stays unset', () => {
  const out = redactConfig({
    key: '36C66639E48A8CA4D6BC8B282A793BBB', authKey: null, profile: 'at-evn-kaifa-ma309', watchdogSeconds: 30,
    source: 'mqtt://meter:s3cret@broker/p1', outputs: ['-', 'postgres://u:pw@db/m'], extra: { masterKey: 'abcdefghijklmnop', note: '36 c6 66 39 e4 8a 8c a4 d6 bc 8b 28 2a 79 3b bb' },
  });
  assert.deepEqual(out, {
    key: REDACTED, authKey: null, profile: 'at-evn-kaifa-ma309', watchdogSeconds: 30,
    source: 'mqtt://meter:***@broker/p1', outputs: ['-', 'postgres://u:***@db/m'], extra: { masterKey: REDACTED, note: REDACTED },
  });
});

test('property: a random password in a URL never survives redactUrl, in any encoding', () => {
  const scheme = fc.constantFrom('mqtt', 'mqtts', 'postgres', 'mysql', 'mongodb', 'tcp', 'dsmr-tcp', 'prometheus');
  fc.assert(fc.property(scheme, fc.constantFrom('', 'meter', 'u'), password(), fc.boolean(), (s, user, pw, raw) => {
    const written = raw ? pw : encodeURIComponent(pw);
    const url = `${s}://${user}:${written}@broker.local:1883/meters/p1?clientId=r1`;
    fc.pre(!`${s}://${user}:@broker.local:1883/meters/p1?clientId=r1`.includes(pw));
    const out = redactUrl(url);
    assertNoSecret(out, pw, `redactUrl(${url})`);
    assert.equal(redactUrl(out), out, 'idempotent');
    if (!raw || !/[/?#]/.test(pw)) assert.ok(out.endsWith('@broker.local:1883/meters/p1?clientId=r1'), out);
  }), { numRuns: 2000 });
});

test('property: a random secret query value never survives, whatever the parameter is called', () => {
  const name = fc.constantFrom('password', 'pass', 'pwd', 'token', 'key', 'secret', 'apikey', 'api_key', 'access_token', 'authKey');
  fc.assert(fc.property(name, password(), fc.boolean(), (n, secret, first) => {
    const q = first ? `?${n}=${encodeURIComponent(secret)}&qos=1` : `?qos=1&${n}=${encodeURIComponent(secret)}`;
    const url = `mqtt://broker/t${q}`;
    const out = redactUrl(url);
    assertNoSecret(out, secret, `redactUrl(${url})`);
    assertNoSecret(redactText(`failed: ${url} (x)`), secret, 'redactText');
  }), { numRuns: 1000 });
});

test('property: random keys in a config never show, also not as hex or base64', () => {
  fc.assert(fc.property(key, key, password(), (guek, gak, pw) => {
    const cfg = { key: guek, authKey: gak, source: `mqtt://u:${encodeURIComponent(pw)}@b/t`, outputs: [`mqtt://:${encodeURIComponent(pw)}@b`], stateDir: './data' };
    const text = JSON.stringify(redactConfig(cfg));
    for (const s of [guek, gak, pw]) assertNoSecret(text, s, 'redactConfig');
  }), { numRuns: 1000 });
});

test('property: a redactor that knows a secret masks it in any text, in every encoding', () => {
  const encodings = (s: string): string[] => {
    const b = Buffer.from(s, 'utf8');
    return [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1), b.toString('base64'), b.toString('base64url'),
      b.toString('hex'), Buffer.from(`user:${s}`).toString('base64'), Buffer.from(`Bearer ${s}!`).toString('base64')];
  };
  fc.assert(fc.property(password(), fc.nat(7), fc.string({ maxLength: 20 }), (secret, which, noise) => {
    const r = createRedactor([secret]);
    const form = encodings(secret)[which];
    const out = r.text(`${noise}<${form}>${noise}`);
    assertNoSecret(out, secret, `redactor.text of form ${which}`);
  }), { numRuns: 2000 });
  const r = createRedactor(['00112233445566778899aabbccddeeff']);
  const keyBytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  assert.equal(r.text(`k=${keyBytes.toString('base64')} K=00112233445566778899AABBCCDDEEFF`), 'k=*** K=***');
});

test('property: a store URL nested in the dashboard URL (?store=, percent-encoded) keeps its password hidden', () => {
  fc.assert(fc.property(fc.constantFrom('postgres', 'mysql'), password(), (s, pw) => {
    const store = `${s}://meter:${encodeURIComponent(pw)}@db.local/energy`;
    fc.pre(!`${s}://meter:@db.local/energy`.includes(pw));
    const url = `web://127.0.0.1:8080?store=${encodeURIComponent(store)}&tz=Europe%2FVienna`;
    const out = redactUrl(url);
    assertNoSecret(out, pw, `redactUrl(${url})`);
    assert.equal(redactUrl(out), out, 'idempotent');
    assert.equal(decodeURIComponent(new URL(out).searchParams.get('store') ?? ''), `${s}://meter:***@db.local/energy`, 'the rest stays readable');
    assertNoSecret(JSON.stringify(redactConfig({ dashboard: url })), pw, 'redactConfig');
  }), { numRuns: 500 });
});
