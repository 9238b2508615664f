/** `?schema=` in a fleet store URL: meterwire's option, taken out before the driver sees the URL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitFleetStoreUrl, DEFAULT_FLEET_SCHEMA_NAME } from '../src/cli/fleet-store-url.js';

test('?schema= moves out of the URL into the schema; other parameters stay', () => {
  assert.deepEqual(splitFleetStoreUrl('postgres://u:p@db/test?schema=fleet_a&application_name=x', DEFAULT_FLEET_SCHEMA_NAME),
    { url: 'postgres://u:p@db/test?application_name=x', schema: 'fleet_a' });
  assert.deepEqual(splitFleetStoreUrl('postgres://db/test', 'other'), { url: 'postgres://db/test', schema: 'other' });
  assert.deepEqual(splitFleetStoreUrl('postgres://db/test?schema=same', 'same'), { url: 'postgres://db/test', schema: 'same' });
});

test('a --schema that disagrees with ?schema= is refused, naming both', () => {
  assert.throws(() => splitFleetStoreUrl('postgres://db/test?schema=a', 'b'), /--schema b and the store URL's \?schema=a disagree/);
});
