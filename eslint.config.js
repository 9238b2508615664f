// Lint rules. The one that matters most: src/core stays pure (no node:*, no I/O, no edge layers),
// so the decoder runs in a worker, a browser or a test without mocks (DESIGN §2).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['fs', 'path', 'net', 'crypto', 'os', 'child_process', 'stream', 'events', 'util', 'buffer',
  'serialport', 'mqtt', 'pg', 'mysql2', 'better-sqlite3', 'fastify', 'pino', 'commander', 'zod'];

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
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'src/core is pure: no node:* modules (pass ports in instead).' },
          { group: ioModules, message: 'src/core is pure: no I/O or edge libraries.' },
          { group: ['**/adapters/**', '**/sinks/**', '**/app/**', '**/cli/**'], message: 'src/core must not import outer layers.' },
        ],
      }],
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
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', TextEncoder: 'readonly' } },
  },
);
