"""Polling with waits: submit a long-running job, then poll its status with growing waits
until it finishes, fails, or the polling budget runs out.

Shows while/else, sfn.sleep with a computed number of seconds, min() for a capped backoff,
and sfn.Fail for a timeout with an exact error name.
"""

from pysfn_compile import sfn

# how many polls each job needs before it is done, and how it ends
JOBS = {"render": (3, "done"), "quick": (0, "done"), "corrupt": (2, "failed"), "stuck": (99, "done")}
POLLS = {}


def submit(job: str) -> str:
    if job not in JOBS:
        raise ValueError(f"unknown job type {job!r}")
    POLLS[job] = 0
    return f"{job}-0001"


def status(job_id: str) -> str:
    job = job_id.rsplit("-", 1)[0]
    POLLS[job] += 1
    needed, outcome = JOBS[job]
    return outcome if POLLS[job] > needed else "running"


def fetch_result(job_id: str) -> dict:
    return {"job": job_id, "url": f"s3://results/{job_id}.json"}


@sfn.workflow
def run_job(job: str, max_polls: int = 5, first_wait: int = 10, max_wait: int = 60):
    job_id = submit(job)
    wait = first_wait
    polls = 0
    waited = 0
    while polls < max_polls:
        sfn.sleep(wait)
        waited += wait
        polls += 1
        state = status(job_id)
        if state == "done":
            result = fetch_result(job_id)
            result["polls"] = polls
            result["waited"] = waited
            return result
        if state == "failed":
            raise RuntimeError(f"job {job_id} failed after {polls} polls")
        wait = min(wait * 2, max_wait)
    else:
        raise sfn.Fail("Job.Timeout", f"{job_id} still running after {polls} polls and {waited} seconds")
