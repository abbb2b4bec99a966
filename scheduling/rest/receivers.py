"""Signal receivers of duty and rest."""

from scheduling.timetables.signals import ComparisonReply, PublishReply

from . import selectors
from .services import duty_record_for_delivery, rest_claims_recover


def record_duty_on_delivery(sender, *, dated_session, **kwargs) -> None:
    """``session_delivered``: the holder of the session on the day has done one duty."""
    duty_record_for_delivery(dated_session=dated_session)


def recover_rest_days(sender, *, run, since, **kwargs) -> PublishReply:
    """``timetable_published`` (in the publishing transaction): the approved rest days from
    ``since`` to the term's end lost their covers with the old sessions; cover them again on
    the new ones or return them to the administrator (``services.rest_claims_recover``)."""
    rest = rest_claims_recover(school=run.school, since=since, until=run.term.end)
    return PublishReply(recovered=rest.recovered, reopened=rest.reopened)


def rest_days_before_publish(sender, *, run, since, sessions, **kwargs) -> ComparisonReply:
    """``publish_comparing``: the covers on the sessions a publish would replace (each session
    counted as its weekly holder's) and the approved rest days from ``since`` to the term's end."""
    covers = selectors.covers_of_sessions(sessions)
    return ComparisonReply(
        weekly_holders=dict(covers.values_list("dated_session_id", "from_staff_id")),
        covers=covers.count(),
        rest_affected=selectors.rest_days_affected(
            school=run.school, since=since, until=run.term.end, covers=covers
        ),
    )


def cover_duties_in_calendar(sender, *, staff, **kwargs) -> dict:
    """``staff_calendar_annotating``: mark the sessions a teacher holds for a colleague's rest."""
    return selectors.cover_annotations()
