"""Argon2 with small parameters, for tests only: still the argon2id algorithm (hashes start with
"argon2$argon2id$"), but ~100 times cheaper than the production parameters, so building a world of six
users does not cost seconds. Production keeps Django's Argon2PasswordHasher (tests/core/test_settings.py
checks the configured hasher in a fresh interpreter)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = [
        "tests.core.hashers.FastArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
