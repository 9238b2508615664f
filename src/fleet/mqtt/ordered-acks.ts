/**
 * PUBACKs in the order the PUBLISHes arrived (MQTT 5 §4.6, MQTT 3.1.1 §4.6): the worker may acknowledge in any
 * order (batches commit out of order when one retries), but a PUBACK leaves only once every message received
 * before it is acknowledged too. Pure: the caller sends what `ack` returns.
 */
export interface OrderedAcks {
  /** Registers a received QoS 1 message; returns its slot for `ack`. */
  add(packetId: number): number;
  /** Marks a slot acknowledged; returns the packet ids now due, in arrival order (often none). */
  ack(slot: number): number[];
  /** Like ack, but appends the due ids to `out` (no array per call); returns how many. */
  ackInto(slot: number, out: number[]): number;
  /** Messages received and not yet released as a PUBACK. */
  readonly pending: number;
}

export function createOrderedAcks(): OrderedAcks {
  // Slots are arrival numbers; `ids`/`done` hold the window [head, next) from index `base` on.
  let ids: number[] = [];
  let done: boolean[] = [];
  let base = 0;
  let head = 0;
  let next = 0;

  const compact = (): void => {
    // Drop the released prefix now and then, so the arrays do not grow with the connection's age.
    const drop = head - base;
    if (drop < 1024 || drop * 2 < ids.length) return;
    ids = ids.slice(drop);
    done = done.slice(drop);
    base = head;
  };

  function ackInto(slot: number, out: number[]): number {
    if (slot < head || slot >= next || done[slot - base]) return 0;
    done[slot - base] = true;
    const from = head;
    while (head < next && done[head - base]) {
      out.push(ids[head - base]);
      head++;
    }
    if (head !== from) compact();
    return head - from;
  }

  return {
    add(packetId) {
      ids.push(packetId);
      done.push(false);
      return next++;
    },
    ack(slot) {
      const due: number[] = [];
      ackInto(slot, due);
      return due;
    },
    ackInto,
    get pending() {
      return next - head;
    },
  };
}
