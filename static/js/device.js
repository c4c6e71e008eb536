// This tab's short label for the lobby, "Chrome on Linux": what the server adds "tab N"
// to, so two tabs of one person read differently (docs/protocol.md, `auth.device`).
const BROWSERS = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'],
  [/Chromium\//, 'Chromium'], [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari']];
const SYSTEMS = [[/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']];

const pick = (table, ua) => (table.find(([re]) => re.test(ua)) || [null, ''])[1];

export function deviceLabel(ua = navigator.userAgent) {
  const browser = pick(BROWSERS, ua) || 'Browser';
  const system = pick(SYSTEMS, ua);
  return (system ? `${browser} on ${system}` : browser).slice(0, 40);
}
