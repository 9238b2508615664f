/**
 * The live stream (server-sent events): every message is serialised once, as one SSE event, and the same bytes are
 * written to every client watching its meter. A client whose socket does not keep up (its unsent bytes exceed
 * `maxBufferedBytes`) is dropped: the server never buffers without bound for a slow phone on a bad Wi-Fi; the
 * page's EventSource reconnects and starts again from the latest message.
 */

/** The part of a response (node's ServerResponse) the hub writes to. */
export interface LiveClientSocket {
  write(chunk: Uint8Array): boolean;
  /** Bytes written but not yet sent to the peer. */
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

export interface LiveHub {
  /** Adds a client for one meter (undefined: all meters); returns the function that removes it. */
  add(socket: LiveClientSocket, meter: string | undefined, first?: readonly Uint8Array[]): () => void;
  /** Sends one event to the clients of `meter` (and to those of all meters). */
  broadcast(meter: string, event: Uint8Array): void;
  /** Sends one event to every client (health and the list of meters). */
  broadcastAll(event: Uint8Array): void;
  /** Whether any client gets `meter`'s events (its own stream or one of all meters). */
  watching(meter: string): boolean;
  clients(): number;
  /** No room for another client (the route answers 503 instead of opening a stream that ends at once). */
  full(): boolean;
  /** Clients dropped for being too slow, since start. */
  dropped(): number;
  close(): void;
}

export interface LiveHubOptions {
  maxBufferedBytes?: number;
  maxClients?: number;
  /** A comment line sent this often so that proxies and browsers keep an idle stream open. */
  keepAliveMs?: number;
}

const encoder = new TextEncoder();

/** One SSE event: `event:` line (optional), one `data:` line (the JSON has no newlines), blank line. */
export function sseEvent(data: string, event?: string): Uint8Array {
  return encoder.encode(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`);
}

export function createLiveHub(o: LiveHubOptions = {}): LiveHub {
  const maxBuffered = o.maxBufferedBytes ?? 256 * 1024;
  const maxClients = o.maxClients ?? 100;
  const clients = new Map<LiveClientSocket, string | undefined>();
  let droppedCount = 0;
  const ping = encoder.encode(': keep-alive\n\n');

  function send(socket: LiveClientSocket, chunk: Uint8Array): void {
    if (socket.writableLength + chunk.byteLength > maxBuffered) {
      clients.delete(socket);
      droppedCount++;
      socket.destroy();
      return;
    }
    socket.write(chunk);
  }

  const timer = setInterval(() => { for (const s of [...clients.keys()]) send(s, ping); }, o.keepAliveMs ?? 15_000);
  timer.unref();

  return {
    add(socket, meter, first) {
      if (clients.size >= maxClients) {
        socket.end();
        return () => undefined;
      }
      clients.set(socket, meter);
      for (const chunk of first ?? []) if (clients.has(socket)) send(socket, chunk);
      return () => { clients.delete(socket); };
    },
    broadcast(meter, event) {
      for (const [socket, wanted] of [...clients]) {
        if (wanted === undefined || wanted === meter) send(socket, event);
      }
    },
    broadcastAll(event) {
      for (const socket of [...clients.keys()]) send(socket, event);
    },
    watching(meter) {
      for (const wanted of clients.values()) if (wanted === undefined || wanted === meter) return true;
      return false;
    },
    clients: () => clients.size,
    full: () => clients.size >= maxClients,
    dropped: () => droppedCount,
    close() {
      clearInterval(timer);
      for (const s of clients.keys()) s.end();
      clients.clear();
    },
  };
}
