/**
 * The consumer's reader of the broker's byte stream (MQTT 5.0 §2.1 fixed header, §3.3 PUBLISH). PUBLISH is read
 * here by hand: it is nearly every packet a worker receives, and mqtt-packet's generic parser (buffer list, packet
 * object, properties object per message) cost ~4 µs of CPU per message. Every other packet (CONNACK, SUBACK,
 * PINGRESP, DISCONNECT, …) is handed, whole, to mqtt-packet.
 *
 * The payload is a view into the socket's chunk, not a copy: Node allocates a fresh buffer for every socket read
 * (sized to the bytes read) and never reuses it, so the view stays valid; it keeps that chunk alive only while a
 * payload of it is referenced (the batch). A packet split across chunks is gathered into a new buffer first.
 */

export interface PublishFields {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  dup: boolean;
  retain: boolean;
  /** Packet identifier; 0 for QoS 0 (MQTT's ids are 1…65535). */
  packetId: number;
}

export interface PacketSink {
  publish(p: PublishFields): void;
  /** A whole non-PUBLISH packet (fixed header included), for mqtt-packet. */
  other(packet: Buffer): void;
  /** The stream is broken; the reader reads nothing more. */
  error(message: string): void;
  /** Checked before each packet: false stops reading (the connection was given up). */
  live(): boolean;
}

export interface PacketReader {
  push(chunk: Buffer): void;
}

const PUBLISH = 3;
/** §2.1.4: four bytes of Variable Byte Integer at most. */
const MAX_VARINT_BYTES = 4;

// PUBLISH property identifiers and the size of their value (§3.3.2.3); -1 string/binary, -2 pair, -3 varint.
const PROPERTY_SIZE = new Map<number, number>([
  [0x01, 1], [0x02, 4], [0x23, 2], [0x08, -1], [0x09, -1], [0x03, -1], [0x26, -2], [0x0b, -3],
]);
const TOPIC_ALIAS = 0x23;

/** Byte length of the last readVarint's integer: 0 = not all bytes here yet, -1 = malformed (no object per call). */
let varintLength = 0;

/** Value of the Variable Byte Integer at `pos`; its length is left in `varintLength`. */
function readVarint(buf: Buffer, pos: number, end: number): number {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos + i >= end) {
      varintLength = 0;
      return 0;
    }
    const b = buf[pos + i];
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      varintLength = i + 1;
      return value;
    }
    mul *= 128;
  }
  varintLength = -1;
  return 0;
}

/** Walks the properties in [pos, end); returns an error text, or undefined. */
function checkProperties(buf: Buffer, pos: number, end: number): string | undefined {
  while (pos < end) {
    const id = buf[pos++];
    const size = PROPERTY_SIZE.get(id);
    if (size === undefined) return `property 0x${id.toString(16)} is not allowed in PUBLISH`;
    // We send no Topic Alias Maximum in CONNECT, so it is 0 and the broker must not use aliases (§3.1.2.11.5).
    if (id === TOPIC_ALIAS) return 'the broker used a topic alias, but this client allows none (Topic Alias Maximum 0)';
    if (size > 0) pos += size;
    else if (size === -3) {
      readVarint(buf, pos, end);
      if (varintLength <= 0) return 'malformed subscription identifier';
      pos += varintLength;
    } else {
      for (let k = size === -2 ? 2 : 1; k > 0; k--) {
        if (pos + 2 > end) return 'property runs past its length';
        pos += 2 + buf.readUInt16BE(pos);
      }
    }
  }
  return pos === end ? undefined : 'property runs past its length';
}

/** Reads the PUBLISH whose variable header starts at `pos` and whose packet ends at `end`; an error text on failure. */
function readPublish(flags: number, buf: Buffer, pos: number, end: number, sink: PacketSink): string | undefined {
  const qos = (flags >> 1) & 3;
  if (qos === 3) return 'PUBLISH with QoS 3';
  if (pos + 2 > end) return 'PUBLISH shorter than its topic length';
  const topicEnd = pos + 2 + buf.readUInt16BE(pos);
  if (topicEnd > end) return 'PUBLISH topic runs past the packet';
  const topic = buf.toString('utf8', pos + 2, topicEnd);
  pos = topicEnd;
  let packetId = 0;
  if (qos > 0) {
    if (pos + 2 > end) return 'PUBLISH shorter than its packet identifier';
    packetId = buf.readUInt16BE(pos);
    if (packetId === 0) return 'PUBLISH with packet identifier 0';
    pos += 2;
  }
  const propsLength = readVarint(buf, pos, end);
  if (varintLength <= 0) return 'PUBLISH with a malformed property length';
  pos += varintLength;
  if (pos + propsLength > end) return 'PUBLISH properties run past the packet';
  if (propsLength > 0) {
    const bad = checkProperties(buf, pos, pos + propsLength);
    if (bad !== undefined) return bad;
    pos += propsLength;
  }
  if (topic.length === 0) return 'PUBLISH without a topic (and no topic alias allowed)';
  sink.publish({ topic, payload: buf.subarray(pos, end), qos: qos as 0 | 1 | 2, dup: (flags & 8) !== 0, retain: (flags & 1) !== 0, packetId });
  return undefined;
}

export function createPacketReader(sink: PacketSink): PacketReader {
  // Bytes of a packet not complete yet: the parts, and the packet's whole size once its header is known (0 = not yet).
  let parts: Buffer[] = [];
  let partsLength = 0;
  let need = 0;
  let broken = false;

  function fail(message: string): void {
    broken = true;
    parts = [];
    sink.error(message);
  }

  /** Reads every whole packet of `buf`; returns where the incomplete rest starts (buf.length when none). */
  function readAll(buf: Buffer): number {
    let pos = 0;
    while (pos < buf.length) {
      if (!sink.live()) return buf.length;
      const remaining = readVarint(buf, pos + 1, buf.length);
      if (varintLength === -1) {
        fail('remaining length longer than 4 bytes');
        return buf.length;
      }
      if (varintLength === 0) return pos;
      const start = pos + 1 + varintLength;
      const end = start + remaining;
      if (end > buf.length) {
        need = end - pos;
        return pos;
      }
      const type = buf[pos] >> 4;
      if (type === PUBLISH) {
        const bad = readPublish(buf[pos] & 0x0f, buf, start, end, sink);
        if (bad !== undefined) {
          fail(bad);
          return buf.length;
        }
      } else sink.other(buf.subarray(pos, end));
      if (broken) return buf.length;
      pos = end;
    }
    return pos;
  }

  return {
    push(chunk) {
      if (broken || chunk.length === 0) return;
      let buf = chunk;
      if (parts.length > 0) {
        parts.push(chunk);
        partsLength += chunk.length;
        // Gather a large packet once, when all of it is here, not on every chunk (quadratic).
        if (need > 0 && partsLength < need) return;
        buf = Buffer.concat(parts, partsLength);
        parts = [];
        partsLength = 0;
      }
      need = 0;
      const rest = readAll(buf);
      if (rest < buf.length && !broken) {
        parts = [buf.subarray(rest)];
        partsLength = buf.length - rest;
      }
    },
  };
}
