"""Who may ring me and who may start a chat with me: pure decisions, no I/O.

A person is judged by what the callee (or the recipient) did, never by what the caller
did: "chatted" means *I* wrote to them (a stranger cannot earn it by writing to me), and
"verified" means *I* marked them verified after comparing the call's safety code
(tlightchat/trust.py). A person I verified counts as one I chatted with.
"""
RING_POLICIES = ("everyone", "chatted", "verified", "nobody")
CHAT_POLICIES = ("everyone", "verified", "nobody")
DND_MAX_MINUTES = 24 * 60  # "until tomorrow" is at most a day away


def may_ring(policy, chatted, verified):
    if policy == "everyone":
        return True
    if policy == "chatted":
        return chatted or verified
    if policy == "verified":
        return verified
    return False


def may_start_chat(policy, chatted, verified):
    """A conversation I wrote in stays open to the other side whatever the policy."""
    if chatted or policy == "everyone":
        return True
    return policy == "verified" and verified


def policy_or_default(chosen, default, allowed):
    return chosen if chosen in allowed else (default if default in allowed else allowed[0])
