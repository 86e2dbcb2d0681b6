from tests.accounts.conftest import cheap_argon2  # noqa: F401  (autouse: fast password hashes)
