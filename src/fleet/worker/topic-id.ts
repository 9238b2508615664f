/**
 * The meter's topic id is the one `+` level of the subscription pattern (`meters/+/raw` → `meters/<id>/raw`).
 * The pattern is matched level by level, so a topic of another shape yields no id at all instead of a wrong one.
 */
import { meterError } from '../../core/errors.js';

export type TopicIdReader = (topic: string) => string | undefined;

/** `$share/<group>/` is the subscription's routing prefix, not part of the topics messages arrive on. */
function stripSharePrefix(pattern: string): string {
  const m = /^\$share\/[^/]+\/(.*)$/.exec(pattern);
  return m ? m[1] : pattern;
}

/** Compiles a pattern with exactly one `+` (the meter's level) and optionally a trailing `#`. */
export function createTopicIdReader(pattern: string): TopicIdReader {
  const levels = stripSharePrefix(pattern).split('/');
  const idLevel = levels.indexOf('+');
  const multi = levels[levels.length - 1] === '#';
  const fixed = multi ? levels.slice(0, -1) : levels;
  if (idLevel < 0 || levels.lastIndexOf('+') !== idLevel || fixed.includes('#') || fixed.some((l) => l !== '+' && /[+#]/.test(l))) {
    throw meterError('BAD_CONFIG', `topic pattern "${pattern}" needs exactly one + level for the meter (e.g. meters/+/raw), and # only at the end`);
  }
  return (topic) => {
    const parts = topic.split('/');
    if (multi ? parts.length < fixed.length : parts.length !== fixed.length) return undefined;
    for (let i = 0; i < fixed.length; i++) {
      if (i !== idLevel && parts[i] !== fixed[i]) return undefined;
    }
    const id = parts[idLevel];
    return id === '' ? undefined : id;
  };
}
