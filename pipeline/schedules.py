"""Daily re-run of the full claimset job."""

import dagster as dg

from pipeline.jobs import claimset_job

daily_claimset = dg.ScheduleDefinition(
    name="daily_claimset",
    job=claimset_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Re-run everything at 06:00 UTC; publishes a version only when something changed.",
)
