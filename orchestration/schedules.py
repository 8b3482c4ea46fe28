"""When the daily refresh runs unattended: a daily schedule (cron from SIYU_REFRESH_CRON)."""

import dagster as dg

from orchestration.jobs import daily_refresh
from siyu.settings import SiyuSettings


def build_refresh_schedule(settings: SiyuSettings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_refresh_schedule",
        job=daily_refresh,
        cron_schedule=settings.refresh_cron,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The daily refresh (ingest, build, audit, publish), Asia/Shanghai time.",
    )
