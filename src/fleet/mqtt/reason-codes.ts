/**
 * MQTT 5 reason codes (§2.4) that a worker's operator can act on, as short explanations for errors and logs.
 * Unknown codes are shown as hex: the broker's reason string, when it sent one, is added by the caller.
 */
const REASONS: Record<number, string> = {
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version (the broker must speak MQTT 5)',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8b: 'server shutting down',
  0x8d: 'keep alive timeout',
  0x8e: 'session taken over: another connection uses the same client id (two workers with one worker id?)',
  0x8f: 'topic filter invalid',
  0x93: 'receive maximum exceeded',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported',
  0x9f: 'connection rate exceeded',
  0xa2: 'wildcard subscriptions not supported',
};

export function reasonText(code: number, reasonString?: string): string {
  const known = REASONS[code] ?? 'reason code';
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  return `${known} (${hex})${reasonString ? `: ${reasonString}` : ''}`;
}
