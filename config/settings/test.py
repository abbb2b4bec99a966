"""The test suite (pytest uses this module; see pytest.ini)."""

import os

from .base import *

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MFA_REQUIRED_FOR_BUREAU = False
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run at once inside the test process, unless a test starts a real worker process
# and names the backend for it (TASKS_BACKEND=database or rq in that process's environment).
if "TASKS_BACKEND" not in os.environ:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / ".test-media"
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test-private-media"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A file, not memory, for the SQLite test database: the Redis path's test runs a real RQ
# worker process, which must see the same database. Its name is fixed, so `pytest --reuse-db`
# finds it migrated on the next run; TEST_DB_NAME names another file for a second run in the
# same checkout (pytest-xdist adds each worker's suffix by itself).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_DB_NAME", str(BASE_DIR / ".test-db.sqlite3"))
    }
