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

  return {
    add(packetId) {
      ids.push(packetId);
      done.push(false);
      return next++;
    },
    ack(slot) {
      if (slot < head || slot >= next || done[slot - base]) return [];
      done[slot - base] = true;
      const due: number[] = [];
      while (head < next && done[head - base]) {
        due.push(ids[head - base]);
        head++;
      }
      compact();
      return due;
    },
    get pending() {
      return next - head;
    },
  };
}
