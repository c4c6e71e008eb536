// The page's language (issue 28): its catalog, looked up by key, with ICU-style plurals
// (Intl.PluralRules) and {name} interpolation, and Intl's date and number formats.
//
// The server names the language and its catalog on <html lang dir data-catalog> (web/
// i18n.py): static/i18n/<lang>.json, versioned and immutable like every static file,
// preloaded by the page. It is fetched here before any module that imports this one
// runs (top-level await), so views.words can build its tables from it. Where it cannot
// be fetched, the English catalog beside this module is used; under Node (tests/js)
// the English file is read from disk.
//
// A catalog is flat: "key": "text with {placeholders}", or for a plural
// "key": {"one": "…", "other": "…"} with the categories of Intl.PluralRules for the
// language (Arabic: zero, one, two, few, many, other), chosen by the `count` value.
const root = globalThis.document?.documentElement;
export const lang = root?.lang || 'en';
export const dir = root?.dir === 'rtl' ? 'rtl' : 'ltr';
const ENGLISH = new URL('../i18n/en.json', import.meta.url);

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function load() {
  if (!root) {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(ENGLISH, 'utf8'));
  }
  for (const url of [root.dataset.catalog, ENGLISH.href]) {
    if (!url) continue;
    try { return await fetchJson(url); } catch { /* the next one */ }
  }
  return {};
}

const catalog = await load();
const plurals = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);

/** A number in the page's language (digits, grouping). */
export const formatNumber = (n) => numbers.format(n);

/** A value as interpolated into a sentence: numbers formatted, the rest as text. */
const shown = (value) => (typeof value === 'number' ? formatNumber(value) : String(value ?? ''));

/**
 * The text of `key`, with `{name}` replaced by vars.name; a plural entry picks its form by
 * vars.count. A missing key shows the key (tests/test_i18n.py keeps every catalog complete).
 */
export function t(key, vars = {}) {
  let text = catalog[key];
  if (text && typeof text === 'object') text = text[plurals.select(vars.count ?? 0)] ?? text.other;
  if (typeof text !== 'string') return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? shown(vars[name]) : whole));
}

/** A time of day (hours, minutes) in the page's language. */
export const formatTime = (ts) => new Date(ts).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });

/** A date in the page's language; `options` as Intl.DateTimeFormat's. */
export const formatDate = (ts, options) => new Date(ts).toLocaleDateString(lang, options);
