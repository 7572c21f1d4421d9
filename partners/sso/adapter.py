"""django-allauth's social accounts fitted to single sign-on per organisation.

Identity providers come from `partners.models.IdentityProvider` (never allauth's SocialApp
table): each is an OpenID Connect app whose provider id is its slug. Every answer is checked:
state and PKCE by allauth; the ID token's signature, issuer (the one configured), audience
and expiry by `SignOnOAuth2Adapter`; its nonce and Entra ID tenant in `pre_social_login`, which
then decides who the person is (see docs/single-sign-on.md)."""

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string

from collaborate.kit import web
from partners import permissions
from partners.models import User
from partners.sso import secrets, selectors, services

OIDC = "openid_connect"
# `amr` values (RFC 8176) that mean more than one factor was used.
AMR_MULTI_FACTOR = {"mfa", "otp", "hwk", "swk", "fido"}
# A first sign-on waiting for the person to choose among organisations sharing their domain.
PENDING_CHOICE_SESSION_KEY = "collaborate_sso_pending_choice"
# Set on the request when the provider vouched for a second factor (kept past a new session).
MULTI_FACTOR_ATTRIBUTE = "_collaborate_sso_multi_factor"

REFUSALS = {
    "unknown_provider": "This single sign-on is no longer set up in Collaborate.",
    "nonce": "The answer from your organisation's sign-in service could not be checked.",
    "tenant": "The answer came from a different organisation's sign-in service.",
    "no_email": "Your organisation's sign-in service did not give your email address.",
    "domain": "Collaborate does not accept single sign-on for your email address's domain.",
    "inactive": "Your Collaborate account has been deactivated.",
    "linked_to_another": (
        "The Collaborate account with your email address is already linked to someone else's "
        "sign-in at your organisation."
    ),
    "not_sign_in": "Single sign-on only signs people in: it cannot be added to an account.",
    "meanwhile": "Your account changed while you were signing in: sign in again.",
    "no_account": (
        "You do not have a Collaborate account, and your organisation does not create one when "
        "you sign in."
    ),
}


def social_app(identity_provider):
    """The allauth app for an identity provider, made in memory (never saved)."""
    return SocialApp(
        provider=OIDC,
        provider_id=identity_provider.slug,
        name=identity_provider.name,
        client_id=identity_provider.client_id,
        secret=secrets.client_secret(identity_provider),
        settings={
            "server_url": identity_provider.issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            "issuer": identity_provider.issuer,
            "uid_field": identity_provider.subject_claim,
            "oauth_pkce_enabled": True,
            "token_auth_method": identity_provider.token_auth_method,
            # Everything is read from the ID token, whose signature is checked; Entra ID's
            # userinfo endpoint has neither `oid` nor `tid`.
            "fetch_userinfo": False,
            "scope": ["openid", "profile", "email"],
        },
    )


class SignOnOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    @property
    def openid_config(self):
        """The provider's discovery document; a provider that cannot be reached, or answers
        nonsense, gets a page saying so (502), not a server error."""
        try:
            return super().openid_config
        except (requests.RequestException, ValueError) as error:
            provider = self.get_provider()
            page = render(
                self.request,
                "partners/sso/unreachable.html",
                {"name": provider.app.name},
                status=502,
            )
            raise ImmediateHttpResponse(page) from error

    def _decode_id_token(self, app, id_token):
        """The ID token's claims once its signature (the provider's published keys), issuer
        (exactly the one configured, not whatever the discovery document says), audience (our
        client id) and expiry are checked. allauth skips the signature when the token came
        straight from the token endpoint; we do not."""
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=app.settings["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class SignOnProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider, with a nonce in every authorisation request (kept in
    the state, checked against the ID token) and our checks of the ID token."""

    oauth2_adapter_class = SignOnOAuth2Adapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(43)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


def _ours(provider):
    if type(provider) is OpenIDConnectProvider:
        return SignOnProvider(provider.request, app=provider.app)
    return provider


def refuse(request, identity_provider, reason, *, email="", user=None):
    """Record the refusal and answer with a page saying why and what to do."""
    services.sign_in_refusal_record(
        identity_provider=identity_provider,
        reason=reason,
        email=email,
        user=user,
        ip_address=web.client_ip(request),
    )
    response = render(
        request,
        "partners/sso/refused.html",
        {"reason": REFUSALS[reason], "identity_provider": identity_provider},
        status=403,
    )
    raise ImmediateHttpResponse(response)


def id_token_claims(sociallogin):
    return (sociallogin.account.extra_data or {}).get("id_token") or {}


def pending_choice(request):
    return request.session.get(PENDING_CHOICE_SESSION_KEY)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        return [
            social_app(identity_provider)
            for identity_provider in selectors.identity_providers()
            if provider in (None, OIDC, identity_provider.slug)
            and client_id in (None, identity_provider.client_id)
        ]

    def get_provider(self, request, provider, client_id=None):
        return _ours(super().get_provider(request, provider, client_id=client_id))

    def list_providers(self, request):
        return [_ours(provider) for provider in super().list_providers(request)]

    def is_open_for_signup(self, request, sociallogin):
        """Accounts are made in `pre_social_login`, by `services.account_create`, or not at all:
        never by allauth's sign-up."""
        return False

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def validate_disconnect(self, account, accounts):
        """A link to a provider is the organisation's, not the person's to remove."""
        raise ValidationError("Single sign-on cannot be removed from your account.")

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        """Every failed answer (a wrong issuer, audience, signature or nonce, an expired token,
        a state not ours or used already, the person cancelling) is recorded, without tokens."""
        identity_provider = selectors.identity_provider_by_slug(
            getattr(getattr(provider, "app", None), "provider_id", "")
        )
        reason = str(error or "unknown")
        if exception is not None:
            reason += f": {type(exception).__name__}"
            if str(exception).isprintable():
                reason += f" {str(exception)[:120]}"
        if request.GET.get("error"):
            reason += f" (provider said {web_typed(request.GET['error'])})"
        services.sign_in_refusal_record(
            identity_provider=identity_provider, reason=reason, ip_address=web.client_ip(request)
        )

    def pre_social_login(self, request, sociallogin):
        """Who this person is: the account already linked to their subject at this provider
        (whatever their email claim says now); else an account with their email address, if
        an organisation on this provider vouches for its domain; else a new officer's account,
        if such an organisation lets unknown people in (they choose when several do)."""
        identity_provider = selectors.identity_provider_by_slug(sociallogin.account.provider)
        claims = id_token_claims(sociallogin)
        email = (claims.get("email") or "").strip().lower()
        if identity_provider is None:
            refuse(request, None, "unknown_provider", email=email)
        if (sociallogin.state or {}).get("process") != AuthProcess.LOGIN:
            # allauth's "connect" (add an identity to the signed-in account) and "redirect"
            # would go around the rules below.
            refuse(request, identity_provider, "not_sign_in", email=email)
        expected_nonce = (sociallogin.state or {}).get("nonce")
        if not expected_nonce or claims.get("nonce") != expected_nonce:
            refuse(request, identity_provider, "nonce", email=email)
        if self._wrong_tenant(identity_provider, claims):
            refuse(request, identity_provider, "tenant", email=email)
        self._note_multi_factor(request, identity_provider, claims)
        if sociallogin.is_existing:
            self._known_person(request, sociallogin.user, identity_provider, email)
            return
        self._first_sign_on(request, sociallogin, identity_provider, email, claims)

    def _known_person(self, request, user, identity_provider, email):
        """Someone linked before signs in as their account, whatever their email claim says
        now, while it is active and an organisation on this provider still vouches for its
        address's domain (turning single sign-on off stops their sign-ons too)."""
        if not user.is_active:
            refuse(request, identity_provider, "inactive", email=email, user=user)
        domain = selectors.domain_of(user.email)
        if not selectors.sign_ons_vouching_for(
            domain, identity_provider=identity_provider
        ).exists():
            refuse(request, identity_provider, "domain", email=email, user=user)

    def _wrong_tenant(self, identity_provider, claims):
        """Whether an Entra ID token's tenant (`tid`) is not the one the issuer names. Checked
        when the token has a `tid`, and always when people are known by `oid`."""
        tenant = identity_provider.tenant_id
        if not tenant or not (claims.get("tid") or identity_provider.subject_claim == "oid"):
            return False
        return str(claims.get("tid", "")).lower() != tenant

    def _note_multi_factor(self, request, identity_provider, claims):
        amr = claims.get("amr") or []
        multi_factor = identity_provider.enforces_mfa or bool(
            AMR_MULTI_FACTOR & {str(value).lower() for value in amr}
        )
        setattr(request, MULTI_FACTOR_ATTRIBUTE, multi_factor)
        if multi_factor:
            request.session[permissions.SSO_MFA_SESSION_KEY] = True
        else:
            request.session.pop(permissions.SSO_MFA_SESSION_KEY, None)

    def _first_sign_on(self, request, sociallogin, identity_provider, email, claims):
        if not email:
            refuse(request, identity_provider, "no_email")
        domain = selectors.domain_of(email)
        sign_ons = list(
            selectors.sign_ons_vouching_for(domain, identity_provider=identity_provider)
        )
        if not sign_ons:
            refuse(request, identity_provider, "domain", email=email)
        ip_address = web.client_ip(request)
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            if not user.is_active:
                refuse(request, identity_provider, "inactive", email=email, user=user)
            if SocialAccount.objects.filter(user=user, provider=identity_provider.slug).exists():
                refuse(request, identity_provider, "linked_to_another", email=email, user=user)
            services.account_link(
                request=request,
                sociallogin=sociallogin,
                user=user,
                identity_provider=identity_provider,
                organisation=self._vouching_organisation(user, sign_ons),
                ip_address=ip_address,
            )
            return
        open_to_newcomers = [s.organisation for s in sign_ons if s.creates_accounts]
        if not open_to_newcomers:
            refuse(request, identity_provider, "no_account", email=email)
        organisation, chosen = self._organisation_for(
            request, sociallogin, identity_provider, open_to_newcomers
        )
        try:
            services.account_create(
                request=request,
                sociallogin=sociallogin,
                email=email,
                full_name=claims.get("name") or email.partition("@")[0],
                identity_provider=identity_provider,
                organisation=organisation,
                chosen=chosen,
                ip_address=ip_address,
            )
        except ValidationError:
            refuse(request, identity_provider, "meanwhile", email=email)

    def _vouching_organisation(self, user, sign_ons):
        """The organisation the link is recorded for: one of the person's own among those
        vouching for the domain, else the first of them."""
        members_of = set(user.memberships.values_list("organisation_id", flat=True))
        mine = [s.organisation for s in sign_ons if s.organisation_id in members_of]
        return (mine or [sign_ons[0].organisation])[0]

    def _organisation_for(self, request, sociallogin, identity_provider, organisations):
        """The one organisation that lets newcomers in, or the one the person chose among
        several (asked on a page of its own, then back here through `complete_social_login`)."""
        if len(organisations) == 1:
            return organisations[0], False
        pending = pending_choice(request) or {}
        chosen_id = pending.get("chosen")
        same_person = pending.get("subject") == [identity_provider.slug, sociallogin.account.uid]
        for organisation in organisations:
            if same_person and organisation.pk == chosen_id:
                request.session.pop(PENDING_CHOICE_SESSION_KEY, None)
                return organisation, True
        request.session[PENDING_CHOICE_SESSION_KEY] = {
            "sociallogin": sociallogin.serialize(),
            "subject": [identity_provider.slug, sociallogin.account.uid],
            "organisation_ids": [organisation.pk for organisation in organisations],
        }
        raise ImmediateHttpResponse(HttpResponseRedirect(reverse("partners:sso_choose")))


def web_typed(value):
    return "".join(ch for ch in str(value)[:60] if ch.isprintable())


def remember_multi_factor(request):
    """After the sign-in (which may have started a new session), keep what the provider said
    about a second factor, for the enrolment check (`permissions.SSO_MFA_SESSION_KEY`)."""
    if request.user.is_authenticated and getattr(request, MULTI_FACTOR_ATTRIBUTE, False):
        request.session[permissions.SSO_MFA_SESSION_KEY] = True
