/**
 * Built-in meter/operator profiles (DESIGN §3 "knowledge is data"). Each profile says how a family of meters
 * talks on its customer interface: framing, serial settings, keys, payload shape, push interval, time zone, and
 * for lists without OBIS codes the positional layout. `notes` names the sources and marks what is inferred.
 *
 * Source abbreviations used in the notes (all public):
 *   [vectors]   ../shared/vectors/public-vectors.json (element counts and values of real captures)
 *   [shrdzm]    Noschvie/shrdzm code/SHRDZMDevice/Device_IM350.cpp (Wiener Netze E450, Kärnten AM550/IM350,
 *               Burgenland E450 and Netz NÖ field orders)
 *   [ea-legacy] rddl-network/EnergyAgent smart_meter_tests/legacy.py (Wiener Netze and Kärnten plaintext walk-through)
 *   [bernikr]   bernikr/esphome-wienernetze-smartmeter (README: IR head, uart 9600; wienernetze.cpp: 10-element list)
 *   [amshan]    toreamun/amshan han/kaifa.py, han/kamstrup.py (Nordic list orders and scalers)
 *   [ams-wiki]  UtilitechAS/amsreader-firmware wiki "Meter behaviour" (Nordic push intervals)
 *   [seed-N]    ../shared/seeds/00N_*.txt READMEs (Steiermark T210-D-r, EVN, Smarty, Tirol)
 *   [netzooe]   netzooe.at smart-meter FAQ (AMIS customer interface)
 *   [kaifa-ti]  tirolerstefan/kaifa meter_template.json (TINETZ serial settings as used by that reader)
 *   [research]  the project's survey of public documents and captures (sections named in the notes): the operator
 *               and vendor documents below, and captures from other projects' public test suites, each cited
 *   [noe-doc]   Netz NÖ "Smart Meter Kundenschnittstelle" (folder 218_9), copy in UtilitechAS/amsreader-firmware doc/Austria
 *   [tinetz-doc] TINETZ "Beschreibung Kundenschnittstelle Smart Meter", copy in the same repository
 *   [oe-concept] Österreichs Energie "Konzept Kundenschnittstellenadapter" (2021), copy in the same repository
 *   [aidon-no], [kaifa-no], [aidon-se]  the vendors' HAN interface descriptions, copies in the same repository doc/
 *   [scs]       scs/smartmeter-datacollector (Swiss L+G E450/E570/E360 and Iskra AM550 readers and test data)
 *   [amsreader] UtilitechAS/amsreader-firmware test/payloads (captures from its issues, with provenance table)
 *   [node-dsmr] athombv/node-dsmr-parser (Slovenian Iskra list detectors and test telegrams)
 */
import type { Profile } from '../types.js';
import { DSMR_PROFILES } from './profiles-dsmr.js';
import { AUSTRIA_PROFILES } from './profiles-austria.js';
import { NORDIC_PROFILES } from './profiles-nordic.js';
import { EUROPE_PROFILES } from './profiles-europe.js';

/** In documented order; selection breaks ties by this order. */
export const BUILTIN_PROFILE_DATA: readonly Profile[] = [...DSMR_PROFILES, ...AUSTRIA_PROFILES, ...NORDIC_PROFILES, ...EUROPE_PROFILES];
