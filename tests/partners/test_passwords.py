"""A new password is at least 12 characters, and the page says so in plain words."""

import pytest
from django.urls import reverse

from tests.pages import text_of

pytestmark = pytest.mark.django_db


def change(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_a_password_shorter_than_12_characters_is_refused_with_a_plain_message(
    client, officer, password
):
    client.force_login(officer)
    refused = change(client, password, "Kx8#mq2!Lp4")  # 11 characters
    assert "Password must be 12 characters or more" in text_of(refused)
    assert "govuk-error-summary" in refused.content.decode()

    assert change(client, password, "Kx8#mq2!Lp4z").status_code == 302  # 12 characters
    officer.refresh_from_db()
    assert officer.check_password("Kx8#mq2!Lp4z")
