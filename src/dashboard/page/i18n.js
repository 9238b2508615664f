// Page chrome in English and German; reading names come with the messages (name, nameDe).
const TEXT = {
  en: {
    meter: 'Meter', language: 'Language', waiting: 'waiting for a message…', connecting: 'connecting…',
    live: 'live', reconnecting: 'connection lost, reconnecting…', now: 'Now', import: 'Import', export: 'Export',
    last15: 'Last 15 minutes', chartLabel: 'import and export power over the last 15 minutes', phases: 'Phases',
    phase: 'Phase', voltage: 'Voltage', current: 'Current', powerImport: 'Power import', powerExport: 'Power export',
    powerFactor: 'Power factor', frequency: 'Frequency', health: 'Reader health', state: 'State',
    lastFrame: 'Last frame', frames: 'Frames', messages: 'Messages', errors: 'Errors', unverified: 'Unverified frames',
    replays: 'Replays', none: 'none', never: 'never', ago: '{0} ago', output: 'Output', queued: 'Queued',
    spooled: 'Spooled', delivered: 'Delivered', dropped: 'Dropped', allReadings: 'All readings', reading: 'Reading',
    value: 'Value', noReader: 'no reader (serving a store)', lastMessage: 'last message {0}', liveClients: 'Live pages',
    views: 'Views', liveView: 'Live', historyView: 'History', period: 'Period', day: 'Day', week: 'Week', month: 'Month',
    year: 'Year', previous: 'previous period', next: 'next period', powerHistory: 'Power', energy: 'Energy',
    powerChartLabel: 'import and export power in the period', energyChartLabel: 'import and export energy per bucket',
    dragHint: 'Drag across a chart to select a range.', periodTotal: 'This period', previousPeriod: 'Previous period',
    selection: 'Selection', costs: 'Costs', today: 'Today', thisMonth: 'This month', incomplete: 'some prices unknown',
    noData: 'no data', importShort: 'in', exportShort: 'out', headroom: 'Headroom',
    headroomQuarter: 'more this quarter (until {0}) without a new peak; at most {1} on average',
    headroomHour: 'more this hour (until {0}) without the next capacity step; at most {1} on average', noLimit: 'no limit',
    gas: 'Gas', water: 'Water', hotWater: 'Hot water', volumeChannel: 'M-Bus channel {0}', volume: 'Volume', volumeChartLabel: '{0} per bucket in m³',
    states: { starting: 'starting', ok: 'OK', stale: 'stale (no frames)', disconnected: 'disconnected', ended: 'ended',
      up: 'up', down: 'down', connecting: 'connecting', closed: 'closed', spooled: 'down, spooling' },
  },
  de: {
    meter: 'Zähler', language: 'Sprache', waiting: 'warte auf eine Nachricht…', connecting: 'verbinde…',
    live: 'live', reconnecting: 'Verbindung verloren, verbinde neu…', now: 'Jetzt', import: 'Bezug', export: 'Lieferung',
    last15: 'Letzte 15 Minuten', chartLabel: 'Bezugs- und Lieferleistung der letzten 15 Minuten', phases: 'Phasen',
    phase: 'Phase', voltage: 'Spannung', current: 'Strom', powerImport: 'Leistung Bezug', powerExport: 'Leistung Lieferung',
    powerFactor: 'Leistungsfaktor', frequency: 'Frequenz', health: 'Zustand des Lesers', state: 'Zustand',
    lastFrame: 'Letzter Frame', frames: 'Frames', messages: 'Nachrichten', errors: 'Fehler', unverified: 'Nicht verifizierte Frames',
    replays: 'Wiederholungen', none: 'keine', never: 'nie', ago: 'vor {0}', output: 'Ausgabe', queued: 'Wartend',
    spooled: 'Zwischengespeichert', delivered: 'Zugestellt', dropped: 'Verworfen', allReadings: 'Alle Messwerte',
    reading: 'Messwert', value: 'Wert', noReader: 'kein Leser (Datenbank-Ansicht)', lastMessage: 'letzte Nachricht {0}',
    liveClients: 'Live-Seiten',
    views: 'Ansichten', liveView: 'Live', historyView: 'Verlauf', period: 'Zeitraum', day: 'Tag', week: 'Woche', month: 'Monat',
    year: 'Jahr', previous: 'voriger Zeitraum', next: 'nächster Zeitraum', powerHistory: 'Leistung', energy: 'Energie',
    powerChartLabel: 'Bezugs- und Lieferleistung im Zeitraum', energyChartLabel: 'Bezug und Lieferung je Intervall',
    dragHint: 'Über ein Diagramm ziehen, um einen Bereich zu wählen.', periodTotal: 'Dieser Zeitraum', previousPeriod: 'Voriger Zeitraum',
    selection: 'Auswahl', costs: 'Kosten', today: 'Heute', thisMonth: 'Dieser Monat', incomplete: 'manche Preise unbekannt',
    noData: 'keine Daten', importShort: 'Bezug', exportShort: 'Lieferung', headroom: 'Spielraum',
    headroomQuarter: 'noch in dieser Viertelstunde (bis {0}) ohne neue Spitze; höchstens {1} im Mittel',
    headroomHour: 'noch in dieser Stunde (bis {0}) ohne nächste Leistungsstufe; höchstens {1} im Mittel', noLimit: 'keine Grenze',
    gas: 'Gas', water: 'Wasser', hotWater: 'Warmwasser', volumeChannel: 'M-Bus-Kanal {0}', volume: 'Volumen', volumeChartLabel: '{0} je Intervall in m³',
    states: { starting: 'startet', ok: 'OK', stale: 'keine Frames', disconnected: 'getrennt', ended: 'beendet',
      up: 'verbunden', down: 'getrennt', connecting: 'verbinde', closed: 'geschlossen', spooled: 'getrennt, puffert' },
  },
};

export const LANGUAGES = Object.keys(TEXT);

export function initialLanguage(stored, browser) {
  if (stored && TEXT[stored]) return stored;
  return String(browser || '').toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function t(lang, key, ...args) {
  const s = (TEXT[lang] ?? TEXT.en)[key] ?? TEXT.en[key] ?? key;
  return typeof s === 'string' ? s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? '')) : s;
}

export function stateText(lang, state) {
  return (TEXT[lang] ?? TEXT.en).states[state] ?? state;
}

export function readingName(lang, r) {
  return lang === 'de' && r.nameDe ? r.nameDe : r.name;
}

/** Applies the chrome texts to every element marked data-i18n (text) or data-i18n-label (aria-label). */
export function translatePage(doc, lang) {
  doc.documentElement.lang = lang;
  for (const el of doc.querySelectorAll('[data-i18n]')) el.textContent = t(lang, el.dataset.i18n);
  for (const el of doc.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(lang, el.dataset.i18nLabel));
}
