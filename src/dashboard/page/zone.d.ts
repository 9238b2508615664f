// Types of zone.js for the tests (the page itself is plain JavaScript; this file is not served).
export type Period = 'day' | 'week' | 'month' | 'year';
export function wallClock(zone: string, ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number };
export function localMidnight(zone: string, y: number, mo: number, d: number): number;
export function periodRange(period: Period, ms: number, zone: string): [number, number];
