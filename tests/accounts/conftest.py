from tests.smtp import dead_smtp_port, smtp  # noqa: F401 - fixtures
