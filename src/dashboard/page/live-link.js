/* global navigator, BroadcastChannel, EventSource, setTimeout, clearTimeout, setInterval, addEventListener */
// The live stream, shared by all tabs of a browser: a browser opens at most 6 HTTP/1.1 connections per origin, so a
// 7th tab with an EventSource of its own would get nothing. The tab that holds a Web Lock keeps one EventSource of
// all meters and relays its events over a BroadcastChannel; when it closes, the next tab waiting for the lock takes
// over. Every tab keeps each meter's latest events, so switching meters shows values at once. Web Locks need a
// secure context (https or loopback): over plain HTTP on a LAN address the tabs elect the holder over the channel
// instead (electLeader below). Without BroadcastChannel a tab opens its own meter's stream.
const EVENTS = ['message', 'status', 'headroom'];
const NAME = 'meterwire-live';

/** on.event(type, data) for each new event, on.state('open' | 'error') as the stream opens or breaks. */
export function createLiveLink(on) {
  const shared = typeof BroadcastChannel === 'function';
  let meter = '';
  let state;
  let source;

  function setState(s) {
    state = s;
    on.state(s);
  }

  function listen(es, relay) {
    for (const type of EVENTS) es.addEventListener(type, (e) => relay(type, e.data));
    es.addEventListener('open', () => setState('open'));
    es.addEventListener('error', () => setState('error'));
  }

  if (!shared) {
    return {
      setMeter(next) {
        meter = next;
        source?.close();
        source = new EventSource(meter ? `api/live?meter=${encodeURIComponent(meter)}` : 'api/live');
        listen(source, (type, text) => on.event(type, JSON.parse(text)));
      },
    };
  }

  const id = Math.random().toString(36).slice(2);
  const channel = new BroadcastChannel(NAME);
  /** "status", "message:<meter>", "headroom:<meter>" → the event's text. */
  const cache = new Map();
  let leader = false;

  function deliver(type, text) {
    const data = JSON.parse(text);
    const key = type === 'status' ? type : `${type}:${data.meter}`;
    // A new leader's stream starts with the latest events again: the same text twice is no new value.
    if (cache.get(key) === text) return;
    cache.set(key, text);
    on.event(type, data);
  }

  channel.addEventListener('message', ({ data }) => {
    if (data.hello) {
      if (leader) channel.postMessage({ to: data.hello, events: [...cache], state, from: id });
    } else if (data.bye) {
      // the election's own message (electLeader)
    } else if (data.to) {
      if (data.to !== id) return;
      for (const [key, text] of data.events) deliver(key.split(':')[0], text);
      if (data.state) setState(data.state);
    } else if (data.state) {
      setState(data.state);
    } else {
      deliver(data.type, data.text);
    }
  });

  let es;
  function lead() {
    leader = true;
    es = new EventSource('api/live');
    listen(es, (type, text) => { channel.postMessage({ type, text, from: id }); deliver(type, text); });
    for (const s of ['open', 'error']) es.addEventListener(s, () => channel.postMessage({ state: s, from: id }));
  }
  if (navigator.locks?.request) {
    navigator.locks.request(NAME, () => {
      lead();
      return new Promise(() => undefined); // held until this tab goes away
    });
  } else {
    electLeader(channel, id, {
      lead,
      stepDown() { leader = false; es?.close(); es = undefined; },
      isLeader: () => leader,
    });
  }
  channel.postMessage({ hello: id });

  return {
    setMeter(next) {
      meter = next;
      // This meter's latest, from what the tab has seen (all meters' events reach every tab).
      for (const type of ['message', 'headroom']) {
        const text = cache.get(`${type}:${meter}`);
        if (text !== undefined) on.event(type, JSON.parse(text));
      }
      if (state) on.state(state);
    },
  };
}

/**
 * Who holds the stream where Web Locks are missing. The holder's relayed events are its heartbeat (the server sends
 * a status event every few seconds, and events reach a background tab where its timers are throttled). A tab that
 * hears no holder for SILENCE_MS, or is told the holder left, takes the stream; two holders at once (both claimed
 * together) hear each other's relays and the one with the larger id steps down. A tab asks on arrival (`hello`)
 * and takes the stream after ARRIVAL_MS without an answer.
 */
const SILENCE_MS = 12_000;
const ARRIVAL_MS = 500;

function electLeader(channel, id, o) {
  let heard = Date.now() - SILENCE_MS + ARRIVAL_MS;
  let claimTimer;
  const claimSoon = () => {
    clearTimeout(claimTimer);
    // A little spread, so the tabs told at the same moment do not all open a stream together.
    claimTimer = setTimeout(() => { if (!o.isLeader()) o.lead(); }, Math.random() * 150);
  };
  channel.addEventListener('message', ({ data }) => {
    if (data.bye) {
      if (!o.isLeader()) { heard = 0; claimSoon(); }
      return;
    }
    if (!data.from || data.from === id) return;
    if (o.isLeader()) {
      if (data.from < id) o.stepDown();
      return;
    }
    heard = Date.now();
    clearTimeout(claimTimer);
  });
  setInterval(() => { if (!o.isLeader() && Date.now() - heard > SILENCE_MS) o.lead(); }, 1000);
  setTimeout(() => { if (!o.isLeader() && Date.now() - heard > SILENCE_MS - ARRIVAL_MS) o.lead(); }, ARRIVAL_MS);
  addEventListener('pagehide', () => { if (o.isLeader()) channel.postMessage({ bye: id }); });
}
