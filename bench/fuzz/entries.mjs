// The entry points the fuzzer drives (all from dist/), what input kind each takes, and what counts as a foreign
// exception for it: anything thrown that is not a MeterError with a code of the error table, a result or event
// whose error code is INTERNAL or unknown, and for createDecoder().push/flush and the framers anything thrown at
// all (their contract is that bad input never throws).
import { need } from './api.mjs';

const bigintSafe = (_k, v) => (typeof v === 'bigint' ? `${v}n` : v);

function signature(e) {
  const name = e?.constructor?.name ?? typeof e;
  const msg = e instanceof Error ? e.message : String(e);
  return `${name}: ${msg.replace(/0x[0-9a-f]+|\d+/gi, 'N').slice(0, 140)}`;
}

/** Shared checks, bound to one run's MeterError class and error table. */
function checks(MeterError, ERROR_CODES) {
  const known = (code) => code !== 'INTERNAL' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
  return {
    thrown(e, ctx, allowMeterError) {
      if (e instanceof MeterError && known(e.code)) {
        if (allowMeterError) ctx.err(e.code);
        else ctx.foreign(`threw MeterError ${e.code} (must not throw): ${signature(e)}`);
      } else ctx.foreign(e instanceof MeterError ? `MeterError with code ${e.code} not in the table` : signature(e));
    },
    results(results, ctx) {
      let readings = 0;
      for (const r of results) {
        if (r && typeof r === 'object' && 'error' in r) {
          const code = r.error?.code;
          if (known(code)) ctx.err(code);
          else ctx.foreign(`error message with code ${code}: ${String(r.error?.message).replace(/\d+/g, 'N').slice(0, 140)}`);
        } else if (r && Array.isArray(r.readings)) {
          ctx.msg(1);
          readings += r.readings.length;
        } else ctx.foreign('a result that is neither a message nor an error message');
      }
      ctx.readings(readings);
    },
    events(events, ctx) {
      for (const e of events) {
        if (e?.type === 'frame' && e.payload instanceof Uint8Array) ctx.msg(1);
        else if (e?.type === 'discarded') {
          if (e.error === undefined) continue;
          if (e.error instanceof MeterError && known(e.error.code)) ctx.err(e.error.code);
          else ctx.foreign(`discard event with a foreign error: ${signature(e.error)}`);
        } else ctx.foreign('a framer event that is neither a frame nor a discard');
      }
    },
  };
}

function pushAll(target, bytes, chunks) {
  const out = [];
  let prev = 0;
  for (const end of chunks) {
    for (const r of target.push(bytes.subarray(prev, end))) out.push(r);
    prev = end;
  }
  for (const r of target.flush()) out.push(r);
  return out;
}

/** What a stream decoded to, for comparing chunkings: messages in full, errors by code. */
const summary = (results) => results.map((r) => ('error' in r ? `E:${r.error.code}` : JSON.stringify(r, bigintSafe))).join('\n');

/** Does an output show a key the input does not hold (hex in either case, or its 16 characters when printable)? */
function leaksKey(results, keys, input) {
  const text = JSON.stringify(results, bigintSafe).toLowerCase();
  const inputText = `${Buffer.from(input).toString('hex')}\n${Buffer.from(input).toString('latin1').toLowerCase()}`;
  for (const k of [keys.key, keys.authKey]) {
    if (!k) continue;
    const forms = [Buffer.from(k).toString('hex')];
    const ascii = Buffer.from(k).toString('latin1');
    if (/^[\x21-\x7e]{16}$/.test(ascii)) forms.push(ascii.toLowerCase());
    if (forms.some((f) => text.includes(f) && !inputText.includes(f))) return true;
  }
  return false;
}

function pushEntry(format) {
  return {
    name: `push:${format}`, domain: 'stream', kind: format === 'auto' ? undefined : format,
    needs: ['createDecoder'],
    make: ({ createDecoder }, c) => (input, ctx) => {
      const opts = { key: input.keys.key, authKey: input.keys.authKey, format };
      let results;
      try {
        results = pushAll(createDecoder(opts), input.bytes, input.chunks);
      } catch (e) { c.thrown(e, ctx, false); return; }
      c.results(results, ctx);
      if (input.chunks.length > 1 && input.rng.chance(1 / 16)) {
        try {
          if (summary(pushAll(createDecoder(opts), input.bytes, [input.bytes.length])) !== summary(results)) ctx.mismatch();
        } catch (e) { c.thrown(e, ctx, false); }
      }
      if (input.rng.chance(1 / 64) && leaksKey(results, input.keys, input.bytes)) ctx.leak();
    },
  };
}

function framerEntry(format) {
  return {
    name: `framer:${format}`, domain: 'stream', kind: format === 'auto' ? undefined : format,
    needs: ['createFramer'],
    make: ({ createFramer }, c) => (input, ctx) => {
      let events;
      try { events = pushAll(createFramer(format), input.bytes, input.chunks); } catch (e) { c.thrown(e, ctx, false); return; }
      c.events(events, ctx);
      if (input.chunks.length > 1 && input.rng.chance(1 / 16)) {
        const frames = (evs) => evs.filter((e) => e.type === 'frame').map((e) => `${e.kind}:${Buffer.from(e.payload).toString('hex')}`).join(',');
        try {
          if (frames(pushAll(createFramer(format), input.bytes, [input.bytes.length])) !== frames(events)) ctx.mismatch();
        } catch (e) { c.thrown(e, ctx, false); }
      }
    },
  };
}

/** Number of values in a decoded A-XDR tree (containers and leaves), counted up to `cap`. */
function countValues(root, cap = 1e7) {
  let n = 0;
  const stack = [root];
  while (stack.length && n < cap) {
    const v = stack.pop();
    n++;
    if (Array.isArray(v?.items)) for (const x of v.items) stack.push(x);
  }
  return n;
}

/** A call that returns a value or throws a MeterError; `tree` picks the decoded A-XDR value to size, if any. */
function totalEntry(name, domain, needs, call, tree) {
  return {
    name, domain, needs,
    make: (api) => (input, ctx) => {
      let r;
      try { r = call(api, input); } catch (e) { return { thrown: e }; }
      ctx.msg(1);
      if (r?.readings) ctx.readings(r.readings.length);
      if (tree) ctx.values(countValues(tree(r)));
      return undefined;
    },
  };
}

const latin1 = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

export const ENTRIES = [
  ...['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'].map(pushEntry),
  {
    name: 'decode', domain: 'stream', needs: ['decode'],
    make: ({ decode }, c) => (input, ctx) => {
      const asText = input.rng.chance(0.2);
      const arg = asText ? (input.bytes[0] === 0x2f ? latin1(input.bytes) : Buffer.from(input.bytes).toString('hex')) : input.bytes;
      let results;
      try { results = decode(arg, { key: input.keys.key, authKey: input.keys.authKey }); } catch (e) { c.thrown(e, ctx, true); return; }
      c.results(results, ctx);
    },
  },
  totalEntry('axdr', 'axdr', ['decodeAxdr'], ({ decodeAxdr }, input) => decodeAxdr(input.bytes, 0), (r) => r.value),
  totalEntry('notification', 'plain', ['decodeDataNotification'], ({ decodeDataNotification }, input) => decodeDataNotification(input.bytes),
    (r) => r.body),
  totalEntry('interpret', 'plain', ['decodeDataNotification', 'interpretNotification', 'listProfiles'],
    ({ decodeDataNotification, interpretNotification, listProfiles }, input) => {
      const n = decodeDataNotification(input.bytes);
      const profiles = listProfiles();
      const profile = input.rng.chance(0.3) ? undefined : input.rng.pick(profiles);
      return interpretNotification(n.body, { profile, headerDateTime: n.dateTime });
    }),
  totalEntry('dsmr-parse', 'dsmr', ['parseDsmrTelegram'], ({ parseDsmrTelegram }, input) =>
    parseDsmrTelegram(input.rng.chance(0.5) ? latin1(input.bytes) : input.bytes, { verifyCrc: input.rng.chance(0.8) })),
  totalEntry('glo-cipher', 'cipher', ['decodeGeneralGloCipher', 'openGeneralGloCipher', 'nodeAesGcm'],
    ({ decodeGeneralGloCipher, openGeneralGloCipher, nodeAesGcm }, input) =>
      openGeneralGloCipher(decodeGeneralGloCipher(input.bytes, 0), input.keys, nodeAesGcm)),
  ...['auto', 'dsmr', 'mbus', 'hdlc', 'apdu'].map(framerEntry),
  totalEntry('gbt', 'gbt', ['decodeGbtBlock'], ({ decodeGbtBlock }, input) => decodeGbtBlock(input.bytes)),
];

/** Resolves an entry's exports; returns its run(input, ctx) or throws MissingExport naming what is absent. */
export async function prepare(entry) {
  const api = {};
  for (const n of [...entry.needs, 'MeterError', 'ERROR_CODES']) api[n] = await need(n);
  const c = checks(api.MeterError, api.ERROR_CODES);
  const run = entry.make(api, c);
  // totalEntry returns what was thrown instead of classifying it, so the classification lives here once.
  return (input, ctx) => {
    const failed = run(input, ctx);
    if (failed) c.thrown(failed.thrown, ctx, true);
  };
}
