"""Single sign-on per organisation (OpenID Connect through django-allauth): what the sign-in
page asks once it has the email address."""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from django.shortcuts import render

from partners.sso import selectors


def provider_for_email(email):
    """The identity provider whose organisations vouch for this email address's domain (the
    part after the last "@", matched exactly whatever its capitals), if any."""
    return selectors.provider_for_domain(selectors.domain_of(email))


def sign_in_start(request, provider, *, email, next_url):
    """Send the person to `provider` to sign in (the sign-in page has checked the CSRF token of
    its POST), with their email address as the login hint, a fresh state, nonce and PKCE
    challenge kept in the session for the callback.

    Not by a redirect: the sign-in form's page allows forms to go only to Collaborate itself
    (CSP `form-action 'self'`), which browsers apply to where its answer redirects too. A page
    that refreshes at once to the provider (the `Refresh` header), with a link to follow should
    it not, takes the person there."""
    instance = get_adapter(request).get_provider(request, provider.slug)
    try:
        response = instance.redirect(
            request,
            process="login",
            next_url=next_url,
            auth_params={**instance.get_auth_params(), "login_hint": email},
        )
    except ImmediateHttpResponse as stopped:
        return stopped.response
    if not response.has_header("Location"):
        return response
    url = response["Location"]
    page = render(request, "partners/sso/sending.html", {"url": url, "identity_provider": provider})
    page["Refresh"] = f"0;url={url}"
    return page
