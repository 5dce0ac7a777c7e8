"""A ballot's write as one server-side function (PostgreSQL only).

`meetings_cast_ballot` takes the poll's shared advisory lock (closing takes it exclusively),
then, in statements that each start after the lock is held and so see a close committed before
it, checks that the poll is open and writes "this unit has voted" (with its receipt) and the
sealed box. It returns false and writes nothing if the poll is not open; a second ballot of the
unit fails on the one-ballot constraint. Called as one statement outside any transaction, the
ballot is one round trip and one implicit transaction (no BEGIN, no COMMIT round trips).
SQLite keeps the Python path in meetings.services.ballot_cast.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION meetings_cast_ballot(
    p_lock_class integer, p_poll bigint, p_open text, p_unit bigint, p_receipt text,
    p_box_id uuid, p_box bytea
) RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(p_lock_class, p_poll::integer);
    -- A new snapshot per statement (volatile, READ COMMITTED): this read sees any close that
    -- committed before the lock was granted.
    PERFORM 1 FROM meetings_poll WHERE id = p_poll AND status = p_open;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO meetings_votecast (poll_id, unit_id, receipt) VALUES (p_poll, p_unit, p_receipt);
    INSERT INTO meetings_sealedballot (id, poll_id, box) VALUES (p_box_id, p_poll, p_box);
    RETURN true;
END
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS meetings_cast_ballot(integer, bigint, text, bigint, text, uuid, bytea)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0005_runoff_rule_neutral_label")]

    operations = [migrations.RunPython(create, drop)]
