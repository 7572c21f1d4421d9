"""The shell every page lives in: sign in and out, error pages, CSP, CSRF for htmx."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.pages import assert_strict_page, text_of

PUBLIC_PAGES = ["/accounts/login/", "/accessibility/", "/privacy/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_without_sign_in_under_a_strict_csp(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_page(response)


@pytest.mark.django_db
def test_home_shows_a_visitor_who_is_not_signed_in_the_public_register(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Public register of initiatives" in text_of(response)
    assert_strict_page(response)


@pytest.mark.django_db
def test_pages_behind_sign_in_send_a_visitor_to_sign_in(client):
    response = client.get(reverse("dashboard:show"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_sign_in_with_email_and_password_then_sign_out_by_post(client, officer, password):
    response = client.post(reverse("login"), {"login": officer.email.upper(), "password": password})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert_strict_page(home)
    assert "Signed in as Olive Officer" in text_of(home)

    assert client.get(reverse("logout")).status_code == 405  # never by GET
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard:show")).status_code == 302


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_says_nothing_about_the_account(client, officer):
    wrong_password = client.post(reverse("login"), {"login": officer.email, "password": "nope"})
    no_account = client.post(
        reverse("login"), {"login": "nobody@example.gov.uk", "password": "nope"}
    )
    for response in (wrong_password, no_account):
        assert response.status_code == 400
        assert "Enter a correct email address and password." in text_of(response)
        assert "There is a problem" in text_of(response)
        assert_strict_page(response)
    # The two answers differ only in what the user typed.
    strip = lambda r: re.sub(r'value="[^"]*"', "", text_of(r))  # noqa: E731
    assert strip(wrong_password).replace(officer.email, "") == strip(no_account).replace(
        "nobody@example.gov.uk", ""
    )


@pytest.mark.django_db
def test_unknown_page_answers_404_in_the_site_style(as_user, officer):
    response = as_user(officer).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert_strict_page(response)


@pytest.mark.django_db
def test_403_page_is_in_the_site_style(as_user, officer, settings):
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory
    from django.views.defaults import permission_denied

    request = RequestFactory().get("/")
    request.user = officer
    request.session = {}
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You cannot do that" in response.content.decode()


@pytest.mark.django_db
def test_500_page_keeps_the_site_style_and_the_csp_nonce(rf, officer):
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    from collaborate.views import server_error

    request = rf.get("/")
    request.user = officer
    request.session = {}
    middleware = ContentSecurityPolicyMiddleware(server_error)
    response = middleware(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert_strict_page(response)


@pytest.mark.django_db
def test_an_htmx_post_from_an_element_inside_body_passes_csrf(officer, password):
    """htmx sends the headers of hx-headers on <body> with every request made by any element
    inside it: the token there must be one that CSRF protection accepts."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    page = client.get("/")
    headers = json.loads(
        re.search(r"<body[^>]*hx-headers='([^']+)'", page.content.decode()).group(1)
    )
    refused = client.post(reverse("logout"), headers={"HX-Request": "true"})
    assert refused.status_code == 403
    accepted = client.post(
        reverse("logout"), headers={"HX-Request": "true", "X-CSRFToken": headers["X-CSRFToken"]}
    )
    assert accepted.status_code == 302


@pytest.mark.django_db
def test_sign_in_asks_for_the_email_address_first_then_the_password(client, officer, password):
    first = client.get(reverse("login") + "?next=/claims/")
    assert 'name="password"' not in first.content.decode()
    assert "Continue" in text_of(first)

    second = client.post(reverse("login"), {"login": officer.email.upper(), "next": "/claims/"})
    assert second.status_code == 200
    html = second.content.decode()
    assert 'name="password"' in html and 'type="hidden" name="login"' in html
    assert f"Signing in as {officer.email}" in text_of(second)
    assert 'name="next" value="/claims/"' in html
    assert_strict_page(second)

    signed_in = client.post(
        reverse("login"), {"login": officer.email, "password": password, "next": "/claims/"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/claims/"


@pytest.mark.django_db
def test_sign_in_without_a_real_email_address_stays_on_the_first_step(client):
    response = client.post(reverse("login"), {"login": "not an address"})
    assert response.status_code == 400
    assert "Enter an email address in the right format" in text_of(response)
    assert 'name="password"' not in response.content.decode()
