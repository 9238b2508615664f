/**
 * Topic ids known to be unregistered, for a short time and in bounded number: a flood of frames from random ids
 * (a misconfigured gateway, an attacker) costs at most `max` entries, oldest dropped first. Entries share one TTL,
 * so insertion order is expiry order and pruning from the front is enough.
 */
export class NegativeCache {
  private readonly until = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly max: number) {}

  has(key: string, now: number): boolean {
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > now) return true;
    this.until.delete(key);
    return false;
  }

  add(key: string, now: number): void {
    if (this.max <= 0) return;
    this.until.delete(key);
    for (const [k, t] of this.until) {
      if (t > now && this.until.size < this.max) break;
      this.until.delete(k);
    }
    this.until.set(key, now + this.ttlMs);
  }

  clear(): void {
    this.until.clear();
  }

  get size(): number {
    return this.until.size;
  }
}
