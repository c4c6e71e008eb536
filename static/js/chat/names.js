// Chat event names (docs/protocol.md, "Chat"), mirrored from tlightchat/protocol.py.
// Kept here until static/js/protocol.js lists them too; change the three together.
export const CHAT_SEND = 'chat:send';
export const CHAT_HISTORY = 'chat:history';
export const CHAT_CONVERSATIONS = 'chat:conversations';
export const CHAT_DELIVERED = 'chat:delivered';
export const CHAT_READ = 'chat:read';

export const CHAT_MESSAGE = 'chat:message';
export const CHAT_RECEIPT = 'chat:receipt';
export const CHAT_UNREAD = 'chat:unread';

// Errors that no resend can fix: the message is shown as failed, not retried.
export const PERMANENT_ERRORS = new Set(['invalid-payload', 'payload-too-large', 'not-found',
  'forbidden', 'unknown-event']);
