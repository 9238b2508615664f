/** What the OBIS registry knows about a code. */
export type Quantity =
  | 'energy' | 'reactive_energy' | 'apparent_energy' | 'power' | 'reactive_power' | 'apparent_power'
  | 'voltage' | 'current' | 'frequency' | 'power_factor' | 'volume' | 'timestamp' | 'text' | 'count' | 'duration'
  | 'angle';

export interface ObisInfo {
  /** Stable snake_case id (public contract). */
  id: string;
  name: string;
  nameDe: string;
  /** Typical unit, when the meter sends none. */
  unit?: string;
  quantity: Quantity;
}
