/** Key flags and their environment fallbacks (METERWIRE_KEY/METERWIRE_AUTH_KEY, and KEY/AAD as the Luxembourg reader uses). */
export interface KeyFlags {
  key?: string;
  authKey?: string;
}

/** The Luxembourg reader's AAD variable holds "30" ‖ GAK; we accept it and take the GAK part. */
function gakFromAad(aad: string | undefined): string | undefined {
  if (!aad) return undefined;
  const hex = aad.replace(/[\s:]/g, '');
  return hex.length === 34 && hex.slice(0, 2) === '30' ? hex.slice(2) : aad;
}

export function keyOptions(flags: KeyFlags): { key?: string; authKey?: string } {
  const env = process.env;
  const key = flags.key ?? env.METERWIRE_KEY ?? env.KEY;
  const authKey = flags.authKey ?? env.METERWIRE_AUTH_KEY ?? gakFromAad(env.AAD);
  return { ...(key ? { key } : {}), ...(authKey ? { authKey } : {}) };
}
