"""What Celery beat runs, and when (Europe/London, CELERY_TIMEZONE)."""

from datetime import timedelta

from celery.schedules import crontab


def schedule(*, sweep_seconds):
    """CELERY_BEAT_SCHEDULE: the sweep every `sweep_seconds`, the nightly jobs, the reminders."""
    return {
        # Heals what a lost message or a killed worker left dirty (PROGRESS_SWEEP_SECONDS, if set).
        "progress-recompute-dirty": {
            "task": "initiatives.progress.tasks.progress_recompute_dirty",
            "schedule": timedelta(seconds=sweep_seconds),
        },
        # The safety net: every figure rebuilt from the source tables, and target-to-date moved on.
        "progress-reconcile-nightly": {
            "task": "initiatives.progress.tasks.progress_reconcile",
            "schedule": crontab(hour=2, minute=30),
        },
        # Retention: each promise of the privacy notice kept nightly (partners.services.retention).
        "retention-sign-in-records-nightly": {
            "task": "partners.tasks.sign_in_records_delete_old",
            "schedule": crontab(hour=3, minute=0),
        },
        "retention-sessions-nightly": {
            "task": "partners.tasks.sessions_clear_expired",
            "schedule": crontab(hour=3, minute=5),
        },
        "retention-audit-log-nightly": {
            "task": "partners.tasks.audit_events_delete_old",
            "schedule": crontab(hour=3, minute=10),
        },
        "retention-unaccepted-invitations-nightly": {
            "task": "partners.tasks.invitations_unaccepted_anonymise",
            "schedule": crontab(hour=3, minute=15),
        },
        "retention-accounts-nightly": {
            "task": "initiatives.retention.tasks.accounts_anonymise_due",
            "schedule": crontab(hour=3, minute=20),
        },
        "retention-reminders-sent-nightly": {
            "task": "initiatives.retention.tasks.reminders_sent_delete_old",
            "schedule": crontab(hour=3, minute=25),
        },
        # Reminders (Europe/London, CELERY_TIMEZONE): one email per person per run.
        "reminders-awaiting-decision-weekly": {
            "task": "initiatives.reminders.tasks.awaiting_decision_remind",
            "schedule": crontab(day_of_week="mon", hour=7, minute=0),
        },
        "imports-delete-old-files-nightly": {
            "task": "initiatives.imports.tasks.imports_delete_old_files",
            "schedule": crontab(hour=3, minute=40),
        },
        "reminders-quiet-initiatives-monthly": {
            "task": "initiatives.reminders.tasks.quiet_initiatives_remind",
            "schedule": crontab(day_of_month="1", hour=7, minute=0),
        },
        "health-checks-remind-weekly": {
            "task": "initiatives.health.tasks.health_checks_remind",
            "schedule": crontab(day_of_week="mon", hour=7, minute=10),
        },
        # Insights that need the whole population (medians and quartiles), after the reconcile.
        "insights-recompute-nightly": {
            "task": "initiatives.insights.tasks.insights_recompute",
            "schedule": crontab(hour=2, minute=50),
        },
    }
