#!/usr/bin/env node
/** meterwire command line: argv → options → app. Errors are one clear line, never a stack trace. */
import { Command, Option } from 'commander';
import { runDecode } from './decode-command.js';
import { runProfiles } from './profiles-command.js';
import { reportFatal } from './fatal.js';

const program = new Command();
program
  .name('meterwire')
  .description('Read and decrypt the customer interface of European smart meters (DSMR P1, DLMS/COSEM over M-Bus/HDLC).')
  .version('0.1.0');

program.command('decode')
  .description('decode a captured frame or telegram: a hex string, a file (binary, hex text or DSMR text), or - for stdin')
  .argument('[input...]', 'hex string, capture file, or - for stdin')
  .option('-k, --key <GUEK>', 'encryption key (GUEK): 32 hex digits or 16 characters [env METERWIRE_KEY]')
  .option('-a, --auth-key <GAK>', 'authentication key (GAK) to verify the tag [env METERWIRE_AUTH_KEY]')
  .addOption(new Option('-f, --format <format>', 'outer framing').choices(['auto', 'dsmr', 'mbus', 'hdlc', 'apdu']).default('auto'))
  .option('-p, --profile <id>', 'meter profile (see `meterwire profiles`); default: detected')
  .option('--pretty', 'print a readable table instead of JSON lines')
  .option('--apdu', 'include the decrypted APDU (hex) in each message, for diagnostics')
  .action(async (input: string[], flags) => {
    process.exitCode = await runDecode(input, flags);
  });

program.command('profiles')
  .description('list the meter profiles that --profile accepts')
  .option('--json', 'print JSON')
  .action((flags: { json?: boolean }) => runProfiles(flags));

program.parseAsync(process.argv).catch(reportFatal);
