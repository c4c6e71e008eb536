// The ring's offer, read the way browsers read SDP (docs/protocol.md, "Prepared while it
// rings"). The server refuses a ring's offer that names an address (tlightchat/sdp.py);
// should one come anyway, this side applies nothing of it that could make its browser
// send a connectivity check before Accept. Pure functions, no DOM (tests/js/prepared.test.mjs).
//
// Browsers are lenient (Firefox takes `a=CANDIDATE:`, `a=candidate <v>`, `a=candidate<TAB><v>`
// as candidates), so the rule is an allowlist of plain lines: a line is kept only if it is
// `<lowercase letter>=<printable ASCII>`; every attribute whose name (up to the first `:`,
// space or tab, any case) contains "candidate" goes (candidates, `a=end-of-candidates`,
// `a=remote-candidates`, `a=candidatex`...); c= and a=rtcp keep only the null address.

const PLAIN_LINE = /^[a-z]=[\x20-\x7e]*$/;
const NULL_ADDRESS = { IP4: '0.0.0.0', IP6: '::' };

// An `a=` line's attribute name as browsers read it: up to `:`, space or tab, lowercased.
export const attributeName = (value) => value.split(/[: \t]/, 1)[0].toLowerCase();

// `IN IP4 <address>` with the address replaced by the null address of its type.
const nullConnection = (value) => {
  const type = / IP6( |$)/.test(value) ? 'IP6' : 'IP4';
  return `IN ${type} ${NULL_ADDRESS[type]}`;
};

export function stripCandidates(sdp) {
  const kept = [];
  for (const raw of sdp.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!PLAIN_LINE.test(line)) continue;  // also the empty rest after the last CRLF
    const [kind, value] = [line[0], line.slice(2)];
    const name = kind === 'a' ? attributeName(value) : '';
    if (name.includes('candidate')) continue;
    if (kind === 'c') {
      kept.push(`c=${nullConnection(value)}`);
    } else if (name === 'rtcp') {
      const port = /^rtcp:([0-9]{1,5})( |$)/i.exec(value);
      if (port) kept.push(`a=rtcp:${port[1]} ${nullConnection(value)}`);
    } else {
      kept.push(line);
    }
  }
  return kept.map((line) => `${line}\r\n`).join('');
}
