// Lint rules, and the layer boundaries of DESIGN §2 as rules so they hold without anyone remembering them:
//   core (pure) ← sim ← adapters ← app ← cli;  core ← sinks ← app;  core/model ← costs (pure);  redact and net are shared helpers.
// Inside the core: bytes ← obis ← model; security, framing, dlms, dsmr, profiles as below; the pipeline stages
// (src/core/*.ts) wire them together.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['fs', 'path', 'net', 'crypto', 'os', 'child_process', 'stream', 'events', 'util', 'buffer',
  'serialport', 'mqtt', 'pg', 'mysql2', 'better-sqlite3', 'fastify', 'pino', 'commander', 'zod'];

/** A no-restricted-imports rule forbidding the given path patterns (type-only imports allowed where asked). */
function forbid(patterns, allowTypeImports = false) {
  return ['error', { patterns: patterns.map(([group, message]) => ({ group, message, allowTypeImports })) }];
}

const OUTER = ['**/adapters/**', '**/sinks/**', '**/app/**', '**/cli/**', '**/sim/**', '**/net/**'];
const coreDirs = (dirs, message) => [dirs.map((d) => `../${d}/*`), message];
const stages = (message) => [['../pipeline.js', '../decode-*.js', '../profile-chooser.js', '../index.js'], message];

/** Core sub-layers: what each folder must not import (DESIGN §2). */
const CORE_LAYERS = {
  bytes: ['obis', 'framing', 'dlms', 'dsmr', 'security', 'profiles', 'model'],
  obis: ['framing', 'dlms', 'dsmr', 'security', 'profiles', 'model'],
  security: ['obis', 'framing', 'dlms', 'dsmr', 'profiles', 'model'],
  framing: ['obis', 'dsmr', 'profiles', 'model'],
  dlms: ['framing', 'security', 'dsmr'],
  dsmr: ['framing', 'security', 'dlms', 'profiles'],
  model: ['framing', 'security', 'dlms', 'dsmr', 'profiles'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        [['node:*'], 'src/core is pure: no node:* modules (pass ports in instead).'],
        [ioModules, 'src/core is pure: no I/O or edge libraries.'],
        [[...OUTER, '**/redact/**'], 'src/core must not import outer layers.'],
      ]),
      'no-restricted-globals': ['error',
        { name: 'Buffer', message: 'src/core uses Uint8Array, not Buffer.' },
        { name: 'process', message: 'src/core is pure: no process.' },
        { name: 'console', message: 'src/core does not log: return issues instead.' },
        { name: 'setTimeout', message: 'src/core has no timers.' },
        { name: 'setInterval', message: 'src/core has no timers.' },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'src/core takes time as a parameter.' }],
    },
  },
  // The reading factory holds per-decoder state of every format (the DSMR line memo among it): the model may name
  // those types, not import their code.
  ...Object.entries(CORE_LAYERS).map(([dir, banned]) => ({
    files: [`src/core/${dir}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        [['node:*', ...ioModules], 'src/core is pure.'],
        [[...OUTER, '**/redact/**'], 'src/core must not import outer layers.'],
        coreDirs(banned, `src/core/${dir} sits below ${banned.join(', ')} (DESIGN §2).`),
        stages(`src/core/${dir} must not import the pipeline stages.`),
      ], dir === 'model'),
    },
  })),
  {
    // Framing reads only the pure A-XDR tag tables of dlms.
    files: ['src/core/framing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        [['node:*', ...ioModules], 'src/core is pure.'],
        [[...OUTER, '**/redact/**'], 'src/core must not import outer layers.'],
        coreDirs(CORE_LAYERS.framing, 'src/core/framing sits below obis, dsmr, profiles and model.'),
        [['../dlms/*', '!../dlms/data-tags.js', '!../dlms/attribute-list-shape.js'], 'framing uses only the dlms tag tables.'],
        stages('src/core/framing must not import the pipeline stages.'),
      ]),
    },
  },
  {
    // Profiles are data: they may name framing types, nothing else of the core.
    files: ['src/core/profiles/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        [['node:*', ...ioModules], 'src/core is pure.'],
        [[...OUTER, '**/redact/**'], 'src/core must not import outer layers.'],
        coreDirs(['framing', 'dlms', 'dsmr', 'security', 'model'], 'profiles are data: types from framing only.'),
        stages('profiles must not import the pipeline stages.'),
      ], true),
    },
  },
  {
    files: ['src/redact/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', ...ioModules], message: 'src/redact is pure: every layer uses it.' },
        { group: ['**/core/**', ...OUTER], message: 'src/redact depends on nothing.' },
      ] }],
    },
  },
  {
    files: ['src/net/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/adapters/**', '**/sinks/**', '**/app/**', '**/cli/**'], message: 'net and sim sit below the edge layers.' },
      ] }],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/sinks/**', '**/app/**', '**/cli/**'], message: 'adapters import core, net, sim and redact only.' },
      ] }],
    },
  },
  {
    files: ['src/sinks/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/adapters/**', '**/app/**', '**/cli/**', '**/sim/**'], message: 'a sink depends on core types, net, redact and its own driver.' },
      ] }],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**'], message: 'app is below the cli.' }] }],
    },
  },
  {
    // The cost engine (docs/costs.md) is pure like the core: time comes in as a parameter, no I/O.
    files: ['src/costs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', ...ioModules.filter((m) => m !== 'zod')], message: 'src/costs is pure: no I/O (zod is allowed).' },
        { group: [...OUTER, '**/redact/**'], message: 'src/costs must not import outer layers.' },
        { group: ['../core/*', '!../core/errors.js', '!../core/model'], message: 'src/costs uses core/errors and core/model types only.' },
        { group: ['../core/model/*'], allowTypeImports: true, message: 'src/costs may import core/model types only.' },
      ] }],
      'no-restricted-globals': ['error', 'Buffer', 'process', 'console', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'src/costs takes time as a parameter.' }],
    },
  },
  {
    // The dashboard is an output's server: core types, costs, redact, net and its own framework; not the reader.
    files: ['src/dashboard/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/adapters/**', '**/app/**', '**/cli/**', '**/sim/**'], message: 'the dashboard depends on core types, costs, redact, net and fastify.' },
      ] }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', TextEncoder: 'readonly' } },
  },
);
