"""Background tasks of the registry (django-tasks; the TASKS backend runs them at once by default)."""

from django_tasks import task


@task()
def run_import_job(job_id: int) -> None:
    """Run an import confirmed in the admin (services.import_jobs.run_import_job)."""
    from .services.import_jobs import run_import_job as run

    run(job_id=job_id)
