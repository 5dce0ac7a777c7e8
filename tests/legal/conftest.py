import pytest


@pytest.fixture(autouse=True)
def shipped_texts(db):
    """The legal texts migration 0002 ships. A transactional test elsewhere in the session
    flushes the tables after it, data migrations included; ship them again (idempotent)."""
    from legal.demo import ship_texts

    ship_texts()
