#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoithidua.settings")
    # Without a configured SECRET_KEY this is a developer's machine: default to DEBUG there.
    # Production sets SECRET_KEY (and DEBUG stays off unless asked for); gunicorn uses wsgi.py.
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
