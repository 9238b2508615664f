/** Where `meterwire simulate` sends the bytes of its simulated meter. Writes never throw; failures are logged. */
export interface Target {
  readonly description: string;
  /** Sends one message's bytes; resolves when handed to the transport (or dropped while it is down). */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export type TargetLog = (message: string) => void;
