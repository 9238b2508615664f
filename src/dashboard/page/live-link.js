/* global navigator, BroadcastChannel, EventSource */
// The live stream, shared by all tabs of a browser: a browser opens at most 6 HTTP/1.1 connections per origin, so a
// 7th tab with an EventSource of its own would get nothing. The tab that holds a Web Lock keeps one EventSource of
// all meters and relays its events over a BroadcastChannel; when it closes, the next tab waiting for the lock takes
// over. Every tab keeps each meter's latest events, so switching meters shows values at once. Where locks or
// BroadcastChannel are missing (Web Locks need a secure context: https or loopback), a tab opens its own meter's.
const EVENTS = ['message', 'status', 'headroom'];
const NAME = 'meterwire-live';

/** on.event(type, data) for each new event, on.state('open' | 'error') as the stream opens or breaks. */
export function createLiveLink(on) {
  const shared = typeof BroadcastChannel === 'function' && navigator.locks?.request;
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
      if (leader) channel.postMessage({ to: data.hello, events: [...cache], state });
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

  navigator.locks.request(NAME, () => {
    leader = true;
    const es = new EventSource('api/live');
    listen(es, (type, text) => { channel.postMessage({ type, text }); deliver(type, text); });
    for (const s of ['open', 'error']) es.addEventListener(s, () => channel.postMessage({ state: s }));
    return new Promise(() => undefined); // held until this tab goes away
  });
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
