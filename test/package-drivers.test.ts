/**
 * pg, mysql2 and mongodb are optional dependencies: an output whose driver is missing is one BAD_CONFIG error that
 * names the package, raised when the outputs are set up. Here the package probe is pointed at "not installed";
 * package-install.test.ts removes the real packages from an installed copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMeterError } from '../src/core/errors.js';
import { openSink } from '../src/sinks/open-sink.js';
import { createMongoSink } from '../src/sinks/mongodb/index.js';
import { assertDriverInstalled, missingDriver, OPTIONAL_DRIVERS, packageInstalled } from '../src/sinks/drivers.js';
import type { SinkContext } from '../src/sinks/types.js';

const ctx: SinkContext = {
  log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  health: () => ({ state: 'ok', framesOk: 0, messages: 0, errors: {}, discardedBytes: 0, resyncs: 0, unverified: 0, replays: 0 }),
  outputs: () => [],
  stateDir: '/nonexistent',
};
const nothingInstalled = () => false;

const CASES: [string, string, string][] = [
  ['postgres://meter:s3cretpw@db.local/meters', 'PostgreSQL', 'pg'],
  ['postgresql://db.local/meters', 'PostgreSQL', 'pg'],
  ['mysql://root:s3cretpw@127.0.0.1/test', 'MySQL/MariaDB', 'mysql2'],
  ['mariadb://127.0.0.1/test', 'MySQL/MariaDB', 'mysql2'],
  ['mongodb://u:s3cretpw@127.0.0.1:27017/meterwire?collection=telegrams', 'MongoDB', 'mongodb'],
  ['mongodb+srv://cluster.example/meterwire', 'MongoDB', 'mongodb'],
];

for (const [url, label, pkg] of CASES) {
  test(`a missing ${pkg} makes ${url.split(':')[0]}: outputs a BAD_CONFIG error naming the package`, () => {
    assert.throws(() => openSink(url, ctx, nothingInstalled), (e: unknown) => {
      assert.ok(isMeterError(e), 'a MeterError, not a raw import failure');
      assert.equal(e.code, 'BAD_CONFIG');
      assert.equal(e.layer, 'config');
      assert.match(e.message, new RegExp(`^output ${url.split(':')[0].replace('+', '\\+')}://.*: the ${label.replace('/', '\\/')} driver is not installed: npm install ${pkg} `));
      assert.doesNotMatch(e.message, /s3cretpw/, 'the password is redacted');
      return true;
    });
  });
}

test('outputs with hard dependencies need no probe: sqlite, mqtt, dsmr-tcp, prometheus open with nothing "installed"', () => {
  for (const url of ['sqlite::memory:', 'mqtt://127.0.0.1:1883', 'dsmr-tcp://127.0.0.1:0', 'prometheus://127.0.0.1:0']) {
    assert.doesNotThrow(() => openSink(url, ctx, nothingInstalled), url);
  }
});

test('the probe looks for each driver by its package name, and finds the installed ones', () => {
  const asked: string[] = [];
  for (const [url] of CASES) assertDriverInstalled(url, (p) => { asked.push(p); return true; });
  assert.deepEqual([...new Set(asked)].sort(), ['mongodb', 'mysql2', 'pg']);
  assert.deepEqual(new Set(Object.values(OPTIONAL_DRIVERS).map((d) => d.pkg)), new Set(['pg', 'mysql2', 'mongodb']));
  // In this checkout the optional drivers are installed, and a made-up package is not.
  for (const pkg of ['pg', 'mysql2', 'mongodb']) assert.equal(packageInstalled(pkg), true, pkg);
  assert.equal(packageInstalled('meterwire-no-such-driver'), false);
  assert.equal(missingDriver('postgres://db/x'), undefined);
  assert.equal(missingDriver('sqlite:./x.db', nothingInstalled), undefined);
});

test('an unknown scheme is still UNKNOWN_OUTPUT, not a driver question', () => {
  assert.throws(() => openSink('cassandra://db/x', ctx, nothingInstalled), (e: unknown) => isMeterError(e) && e.code === 'UNKNOWN_OUTPUT');
});

test('the MongoDB sink loads its driver when it opens: a server that is not there is the driver\'s own connection error', { timeout: 20_000 }, async () => {
  const sink = createMongoSink('mongodb://127.0.0.1:1/meterwire', ctx, { client: { serverSelectionTimeoutMS: 300 } });
  await assert.rejects(sink.open(), (e: Error) => /^mongodb:\/\/127\.0\.0\.1:1\/meterwire: .*(ECONNREFUSED|Server selection timed out)/s.test(e.message));
  await sink.close();
});
