"""Background work of the brokerage (django-tasks; `jumelage worker`, or in-process in embedded mode)."""

from django_tasks import task

from jumelage.brokerage.models import ScheduleRun


@task()
def run_scheduler(run_id: int) -> str:
    from jumelage.brokerage.scheduling import execute

    run = ScheduleRun.objects.select_related("brokerage__event").get(pk=run_id)
    return execute(run).status
