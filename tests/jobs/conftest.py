from jobs.testing import task_queue  # noqa: F401 - fixture
