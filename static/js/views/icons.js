// The control bar's icons (issue 31.3): drawn here as inline SVG, 24×24, stroked in the
// button's own colour, hidden from assistive technology (the button's aria-label names
// it). No icon font and nothing fetched from elsewhere.
const NS = 'http://www.w3.org/2000/svg';

// Each icon: the `d` of its paths.
const PATHS = {
  mic: ['M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3'],
  micOff: ['M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3', 'M3 3l18 18'],
  cam: ['M3 7h12v10H3z', 'M15 10l6-3v10l-6-3'],
  camOff: ['M3 7h12v10H3z', 'M15 10l6-3v10l-6-3', 'M3 3l18 18'],
  hangup: ['M3 14c5-4.5 13-4.5 18 0l-2.5 2.5-3-1.5v-2.5a9 9 0 0 0-5 0V15l-3 1.5z'],
  chat: ['M4 5h16v11H9l-5 4z'],
  fullscreen: ['M4 9V4h5', 'M15 4h5v5', 'M20 15v5h-5', 'M9 20H4v-5'],
  pip: ['M3 5h18v14H3z', 'M12 12h7v5h-7z'],
  pin: ['M9 3h6l-1 7 4 3H6l4-3z', 'M12 13v8'],
  unpin: ['M9 3h6l-1 7 4 3H6l4-3z', 'M12 13v8', 'M3 3l18 18'],
  addPerson: ['M6 8a3 3 0 1 0 6 0a3 3 0 1 0-6 0', 'M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6', 'M19 8v6', 'M16 11h6'],
  screen: ['M3 4h18v12H3z', 'M8 20h8', 'M12 16v4', 'M12 13V7', 'M9 10l3-3 3 3'],
  keys: ['M2 7h20v10H2z', 'M6 10h.01', 'M10 10h.01', 'M14 10h.01', 'M18 10h.01', 'M7 14h10'],
};

export function icon(name) {
  const svg = document.createElementNS(NS, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', width: '22', height: '22', fill: 'none', stroke: 'currentColor',
    'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false' })) {
    svg.setAttribute(k, v);
  }
  svg.classList.add('icon');
  svg.dataset.icon = name;
  for (const d of PATHS[name]) {
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

// Put `name`'s icon in the button, replacing the one it shows (if different).
export function setIcon(button, name) {
  if (button.querySelector('svg.icon')?.dataset.icon === name) return;
  button.replaceChildren(icon(name));
}
