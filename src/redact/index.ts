/**
 * The one place secrets are hidden (issue 7, item 5): URLs and free text (url.ts), configuration objects
 * (config.ts), and the known secrets of a run in every encoding (secrets.ts). No I/O and no imports from other
 * layers, so the CLI, the app, adapters and sinks can all use it.
 */
export { isSecretName } from './names.js';
export { MASK, redactText, redactUrl, urlSecrets } from './url.js';
export { REDACTED, looksLikeHexKey, redactConfig } from './config.js';
export { MIN_SECRET_LENGTH, createRedactor, secretForms, type Redactor } from './secrets.js';
