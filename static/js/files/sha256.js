// SHA-256 through crypto.subtle (native, ~1 GB/s): the browser has no incremental
// digest, so a file is checked block by block (1 MiB) and as a whole by its root, the
// SHA-256 of the blocks' digests in order. Neither side ever holds the whole file to hash it.

export async function digest(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// The root of a list of 32-byte digests.
export async function rootOf(digests) {
  const all = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => all.set(d, i * 32));
  return hex(await digest(all));
}
