// What a report sends (issue 35, docs/protocol.md "Safety", safety:report): the reason
// the reporter typed (≤ 500) and, only if they ticked "attach", the ids of the last
// messages of their conversation with that person (≤ 20, from a chat:history page).
// The server keeps only messages of a conversation the reporter is in. Pure: node --test.
export const REASON_MAX = 500;
export const ATTACH_MAX = 20;

export function reportPayload(userId, reason, attach, page = null) {
  const payload = { userId, reason: String(reason || '').slice(0, REASON_MAX) };
  if (!attach) return payload;
  const ids = (page?.messages || []).map((m) => m.id).filter(Number.isInteger);
  if (ids.length) payload.messageIds = ids.slice(-ATTACH_MAX);
  return payload;
}
