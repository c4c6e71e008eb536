// h('button', {class: 'x', dataset: {action: 'call'}, onclick}, 'Call') — a DOM element.
// Text goes in as text nodes, never as HTML: names come from other users.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// Set only when different: keeps focus, selection and avoids needless layout.
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function setAttr(el, name, value) {
  if (value === null || value === undefined || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== String(value)) {
    el.setAttribute(name, value === true ? '' : value);
  }
}

// Reconcile keyed children of `parent` with `items`: make() builds a new child for a
// new key, update(child, item) refreshes an existing one; children of gone keys are
// removed. Existing nodes are kept (a playing <video> must never be re-created).
export function keyed(parent, items, keyOf, make, update) {
  const existing = new Map([...parent.children].map((el) => [el.dataset.key, el]));
  let before = parent.firstElementChild;
  for (const item of items) {
    const key = String(keyOf(item));
    let el = existing.get(key);
    if (el) existing.delete(key);
    else { el = make(item); el.dataset.key = key; }
    update(el, item);
    if (el !== before) parent.insertBefore(el, before);
    else before = before.nextElementSibling;
  }
  for (const el of existing.values()) el.remove();
}
