/** Options of the fleet consumer that are wrong before any connection: clear errors, no password in them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMqttFleetConsumer, FleetMqttError } from '../src/fleet/mqtt/index.js';

const ok = { url: 'mqtt://w:Sup3r-secret-pw@127.0.0.1:1883', topic: 'meters/+/raw', group: 'g', clientId: 'g-w1' };

for (const [what, change, message] of [
  ['a URL of another scheme', { url: 'http://w:Sup3r-secret-pw@host/' }, /must start with mqtt:\/\/ or mqtts:\/\//],
  ['an unparsable URL', { url: 'mqtt://w:Sup3r-secret-pw@[bad' }, /cannot parse the broker URL/],
  ['a group with a slash', { group: 'a/b' }, /group name must be non-empty without/],
  ['no client id', { clientId: '' }, /stable clientId per worker is required/],
  ['Receive Maximum 0', { receiveMaximum: 0 }, /receiveMaximum must be an integer from 1 to 65535/],
  ['Receive Maximum above 65535', { receiveMaximum: 70_000 }, /receiveMaximum must be an integer from 1 to 65535/],
  ['0 connections', { connections: 0 }, /connections must be an integer from 1/],
] as const) {
  test(`${what} is refused at creation with a clear error`, () => {
    assert.throws(() => createMqttFleetConsumer({ ...ok, ...change }), (e: unknown) => {
      assert.ok(e instanceof FleetMqttError);
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /Sup3r-secret-pw/);
      return true;
    });
  });
}
