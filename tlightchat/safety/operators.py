"""Reports and what operators do about them (issue 35): a report with the messages its
reporter chose to attach, warn / suspend / ban / lift / dismiss, and the log of who did
what. A suspension or ban ends every session of the user at once (on every node: the
realtime life cycle's end_sessions) and refuses their connects and pages while it lasts
(`sanction_of`, read from the database: every node sees it when it is stored)."""
from datetime import datetime, timezone

from sqlalchemy import false, or_, select

from ..errors import Refusal
from ..models import (Conversation, GroupMember, Message, OperatorAction, Report, Sanction,
                      User)

ACTIONS = ("warn", "suspend", "ban", "lift", "dismiss")
ATTACH_MAX = 20     # messages a report may carry
REASON_MAX = 500


class Operators:
    def __init__(self, db, clock):
        self.db, self.clock = db, clock

    # -- reports -----------------------------------------------------------------------
    def report(self, reporter, target, reason="", message_ids=(), online=False):
        """Only a person one can reach is reportable (as for blocks: an unknown id is
        answered not-found); attached messages must be of a conversation both are in:
        the pair's, or a group call's conversation both are members of."""
        if target == reporter:
            raise Refusal("invalid-payload", "userId: that is you")
        with self.db.session() as s:
            a, b = sorted((reporter, target))
            conv = s.scalar(select(Conversation.id).where(Conversation.user_a == a,
                                                          Conversation.user_b == b))
            groups = s.scalars(select(GroupMember.group_id).where(
                GroupMember.user_id == target,
                GroupMember.group_id.in_(select(GroupMember.group_id)
                                         .where(GroupMember.user_id == reporter)))).all()
            known = conv is not None or groups or online
            if not known or s.get(User, target) is None:
                raise Refusal("not-found", "no such user")
            context = []
            if message_ids:
                theirs = or_(Message.conversation_id == conv if conv is not None else false(),
                             Message.group_id.in_(groups))
                rows = s.scalars(select(Message).where(
                    Message.id.in_(list(message_ids)[:ATTACH_MAX]), theirs)
                    .order_by(Message.id)).all()
                context = [{"id": m.id, "from": m.sender_id, "kind": m.kind, "text": m.body,
                            "ts": m.created_at.isoformat()} for m in rows]
            row = Report(reporter_id=reporter, target_id=target, reason=reason[:REASON_MAX],
                         context=context)
            s.add(row)
            s.flush()
            return row.id

    def open_reports(self):
        with self.db.session() as s:
            rows = s.execute(select(Report, User.display_name)
                             .join(User, User.id == Report.target_id)
                             .where(Report.status == "open").order_by(Report.id)).all()
            return [{"id": r.id, "reporter": r.reporter_id, "target": r.target_id,
                     "targetName": name, "reason": r.reason, "context": r.context or [],
                     "at": r.created_at} for r, name in rows]

    # -- actions -----------------------------------------------------------------------
    def act(self, operator, target, action, minutes=None, report_id=None, detail=""):
        """Returns whether the user's sessions must end now (suspend, ban)."""
        if action not in ACTIONS:
            raise Refusal("invalid-payload", "action: one of warn, suspend, ban, lift, dismiss")
        with self.db.session() as s:
            if target and s.get(User, target) is None:
                raise Refusal("not-found", "no such user")
            if action in ("suspend", "ban"):
                if action == "suspend" and not (minutes and 0 < minutes <= 366 * 24 * 60):
                    raise Refusal("invalid-payload", "minutes: 1 minute to a year")
                until = datetime.fromtimestamp(self.clock() + minutes * 60, timezone.utc) \
                    if action == "suspend" else None
                row = s.get(Sanction, target) or Sanction(user_id=target)
                row.kind, row.until = action, until
                s.merge(row)
                detail = detail or (f"{minutes} min" if minutes else "")
            elif action == "lift":
                row = s.get(Sanction, target)
                if row is not None:
                    s.delete(row)
            if report_id is not None:
                report = s.get(Report, report_id)
                if report is not None:
                    report.status = "closed"
            s.add(OperatorAction(operator=operator, action=action, target_id=target,
                                 report_id=report_id, detail=detail[:REASON_MAX]))
        return action in ("suspend", "ban")

    def sanction_of(self, user_id):
        """{"kind", "until"} while a suspension or ban lasts, else None."""
        with self.db.session() as s:
            row = s.get(Sanction, user_id)
            if row is None:
                return None
            if row.until is not None and row.until.timestamp() <= self.clock():
                return None
            return {"kind": row.kind, "until": row.until}

    def log(self, limit=200):
        with self.db.session() as s:
            rows = s.scalars(select(OperatorAction).order_by(OperatorAction.id.desc())
                             .limit(limit)).all()
            return [{"operator": r.operator, "action": r.action, "target": r.target_id,
                     "report": r.report_id, "detail": r.detail, "at": r.at} for r in rows]

    def collector(self):
        """For /metrics (read at scrape time, from the database every node shares):
        reports by status, operator actions by kind (`safety:report` events are counted
        with every event too, tlc_events)."""
        from prometheus_client.core import GaugeMetricFamily
        from sqlalchemy import func

        operators = self

        class Collector:
            def collect(self):
                with operators.db.session() as s:
                    reports = dict(s.execute(select(Report.status, func.count())
                                             .group_by(Report.status)).all())
                    actions = dict(s.execute(select(OperatorAction.action, func.count())
                                             .group_by(OperatorAction.action)).all())
                family = GaugeMetricFamily("tlc_safety_reports", "Reports, by status",
                                           labels=["status"])
                for status in ("open", "closed"):
                    family.add_metric([status], reports.get(status, 0))
                yield family
                family = GaugeMetricFamily("tlc_safety_operator_actions",
                                           "Operators' actions, by kind", labels=["action"])
                for action in ACTIONS:
                    family.add_metric([action], actions.get(action, 0))
                yield family

        return Collector()
