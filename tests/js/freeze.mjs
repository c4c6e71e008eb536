// Deep-freezes a value, so a reducer that changes its input in place throws (ES modules
// are strict mode: writing a frozen property is a TypeError).
export function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// Runs actions through a reducer from `state`, freezing every state on the way.
export function run(reduce, state, actions) {
  let s = deepFreeze(state);
  for (const a of actions) s = deepFreeze(reduce(s, a));
  return s;
}

// A reducer that notes each action type it is given in `seen` (a Set), so a file's last
// test can require that every declared type was run at least once.
export const recording = (reduce, seen) => (state, action) => {
  if (action && typeof action.type === 'string') seen.add(action.type);
  return reduce(state, action);
};
