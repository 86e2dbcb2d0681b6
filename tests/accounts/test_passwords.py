"""Password policy: Argon2 hashes, 12 characters minimum, Django's validators."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.django_db
def test_password_hashes_are_argon2id_with_django_s_default_cost(production_argon2):
    user = UserFactory(username="hashcheck")

    assert user.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    assert user.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_a_password_of_eleven_characters_is_refused():
    user = UserFactory(username="shorty")

    with pytest.raises(ValidationError) as error:
        validate_password("Qx7!mPz2#kL", user)

    assert [e.code for e in error.value.error_list] == ["password_too_short"]


@pytest.mark.django_db
def test_a_common_password_is_refused_even_when_long_enough():
    user = UserFactory(username="commoner")

    with pytest.raises(ValidationError) as error:
        validate_password("qwerty123456", user)

    assert [e.code for e in error.value.error_list] == ["password_too_common"]


@pytest.mark.django_db
def test_a_long_uncommon_password_is_accepted():
    user = UserFactory(username="careful")

    assert validate_password("violet tractor 93 ledger", user) is None
