"""Local development and the demo city (`make run`)."""

from .base import *
from .base import env_bool

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
MFA_REQUIRED_FOR_BUREAU = env_bool("MFA_REQUIRED_FOR_BUREAU", False)
