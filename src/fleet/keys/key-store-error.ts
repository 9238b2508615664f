/**
 * Errors of the fleet key store. They are MeterErrors (code BAD_CONFIG) so the CLI prints them as one clear line;
 * `reason` lets a worker tell a wrong master key (stop: nothing will open) from one damaged row (dead-letter that
 * meter). Messages name meters and key ids, never a key.
 */
import { MeterError } from '../../core/errors.js';

export type KeyStoreErrorReason = 'wrong-master-key' | 'tampered' | 'schema';

export class KeyStoreError extends MeterError<'BAD_CONFIG'> {
  readonly reason: KeyStoreErrorReason;

  constructor(reason: KeyStoreErrorReason, message: string) {
    super('BAD_CONFIG', 'config', message);
    this.name = 'KeyStoreError';
    this.reason = reason;
  }
}

export function wrongMasterKey(storedKeyId: string, given: { id: string; origin: string }): KeyStoreError {
  return new KeyStoreError('wrong-master-key', `master key does not open the key store (key id ${storedKeyId}; ` +
    `the master key from ${given.origin} has key id ${given.id})`);
}

export function isKeyStoreError(e: unknown): e is KeyStoreError {
  return e instanceof KeyStoreError;
}
