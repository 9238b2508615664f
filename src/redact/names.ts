/**
 * Which names hold secrets: URL query parameters (`?password=`, `?token=`, `?api_key=`…) and configuration
 * fields (`key`, `authKey`, `masterKey`, `password`…). One rule for both, so a URL option and a config field
 * of the same name are treated alike. Names that point at a secret (`keyFile`, `passwordFile`) are not secrets.
 */

/** Endings (after dropping case, "-" and "_") that make a name secret: `client_secret`, `x-api-key`, `authToken`. */
const SECRET_ENDINGS = ['password', 'passwd', 'passphrase', 'pass', 'pwd', 'secret', 'token', 'key', 'guek', 'gak',
  'credential', 'credentials', 'signature', 'sig', 'auth'];

/** Endings that name where a secret is, not the secret (`keyFile`, `tlsCertificateKeyFile`, `tokenPath`). */
const POINTER_ENDINGS = ['file', 'path', 'dir', 'url', 'name', 'id', 'source', 'mechanism', 'type', 'length'];

export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_.\s]/g, '');
  if (n === '' || POINTER_ENDINGS.some((e) => n.endsWith(e))) return false;
  return SECRET_ENDINGS.some((e) => n.endsWith(e));
}
