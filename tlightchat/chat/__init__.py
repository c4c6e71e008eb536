"""Chat persistence: the service (messages, receipts, history), the group commit that
stores sends in shared transactions, the call log, and Markdown rendering."""
