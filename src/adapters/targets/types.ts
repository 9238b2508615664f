/** Where `meterwire simulate` sends the bytes of its simulated meter. Writes never throw; failures are logged. */
export interface Target {
  readonly description: string;
  /** Settles when the target can take writes; rejects (MeterError) when it never will, e.g. a port in use. */
  readonly ready?: Promise<void>;
  /** True for a file or stdout: nothing waits on the other end, so messages need no pacing. */
  readonly unpaced?: boolean;
  /** Sends one message's bytes; resolves when handed to the transport (or dropped while it is down). */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export type TargetLog = (message: string) => void;
