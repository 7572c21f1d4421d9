"""Single sign-on pages: an admin's configuration on the organisation's page, the choice of
organisation at a first sign-on, and the callback from the identity provider."""

from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from collaborate.kit import web
from collaborate.kit.filters import record_id
from partners import permissions, selectors
from partners.models import Organisation
from partners.sso import adapter, forms
from partners.sso import selectors as sso_selectors
from partners.sso import services as sso_services


def _configurable_organisation(request, pk):
    """The organisation, for admins only: anyone else gets a 404, as if the page did not exist."""
    if not permissions.can_configure_single_sign_on(request.user):
        raise Http404
    return get_object_or_404(selectors.organisations_visible_to(user=request.user), pk=pk)


def _page(organisation):
    return reverse("partners:sso", args=[organisation.pk])


def _saved(form, service, **arguments):
    """What `service` returns, or None when it refuses: its reasons are then on the form."""
    try:
        return service(**arguments)
    except ValidationError as error:
        web.apply_validation_error(form, error)
        return None


def redirect_uri(request, identity_provider):
    return request.build_absolute_uri(
        reverse("openid_connect_callback", kwargs={"provider_id": identity_provider.slug})
    )


@require_http_methods(["GET", "POST"])
def sign_on(request, pk):
    """The organisation's single sign-on: its provider, domains and newcomers."""
    organisation = _configurable_organisation(request, pk)
    current = sso_selectors.sign_on_of(organisation)
    providers = sso_selectors.identity_providers()
    initial = {}
    if current is not None:
        initial = {
            "identity_provider": current.identity_provider,
            "domains": "\n".join(domain.domain for domain in current.domains.all()),
            "creates_accounts": current.creates_accounts,
        }
    elif (wanted := record_id(request.GET.get("provider"))) and (
        chosen := providers.filter(pk=wanted).first()
    ):
        initial = {"identity_provider": chosen}
    form = forms.SignOnForm(request.POST or None, initial=initial, identity_providers=providers)
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            form,
            sso_services.sign_on_set,
            actor=request.user,
            organisation=organisation,
            ip_address=web.client_ip(request),
            **form.cleaned_data,
        )
        if saved:
            messages.success(request, f"Single sign-on for {organisation.name} was saved.")
            return redirect(_page(organisation))
    return web.render_form(
        request,
        "partners/sso/sign_on.html",
        {
            "organisation": organisation,
            "sign_on": current,
            "has_providers": providers.exists(),
            "redirect_uri": redirect_uri(request, current.identity_provider) if current else "",
        },
        form,
    )


@require_http_methods(["GET", "POST"])
def identity_provider_create(request, pk):
    organisation = _configurable_organisation(request, pk)
    form = forms.IdentityProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identity_provider = _saved(
            form,
            sso_services.identity_provider_create,
            actor=request.user,
            organisation=organisation,
            ip_address=web.client_ip(request),
            **form.fields_for_service(),
        )
        if identity_provider:
            messages.success(
                request,
                f"{identity_provider.name} was added. Register this redirect URI with it: "
                f"{redirect_uri(request, identity_provider)}",
            )
            return redirect(f"{_page(organisation)}?provider={identity_provider.pk}")
    return web.render_form(
        request,
        "partners/sso/identity_provider_form.html",
        {"organisation": organisation, "identity_provider": None},
        form,
    )


@require_http_methods(["GET", "POST"])
def identity_provider_edit(request, pk):
    """Change the organisation's identity provider (for every organisation using it)."""
    organisation = _configurable_organisation(request, pk)
    current = sso_selectors.sign_on_of(organisation)
    if current is None:
        raise Http404
    identity_provider = current.identity_provider
    form = forms.IdentityProviderForm(request.POST or None, instance=identity_provider)
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            form,
            sso_services.identity_provider_update,
            actor=request.user,
            identity_provider=identity_provider,
            organisation=organisation,
            ip_address=web.client_ip(request),
            **form.fields_for_service(),
        )
        if saved:
            messages.success(request, f"{form.cleaned_data['name']} was updated.")
            return redirect(_page(organisation))
    return web.render_form(
        request,
        "partners/sso/identity_provider_form.html",
        {
            "organisation": organisation,
            "identity_provider": identity_provider,
            "shared_with": identity_provider.sign_ons.exclude(organisation=organisation)
            .select_related("organisation")
            .order_by("organisation__name"),
            "redirect_uri": redirect_uri(request, identity_provider),
        },
        form,
    )


@require_http_methods(["GET", "POST"])
def sign_on_remove(request, pk):
    organisation = _configurable_organisation(request, pk)
    if sso_selectors.sign_on_of(organisation) is None:
        raise Http404
    if request.method == "POST":
        web.perform(
            request,
            sso_services.sign_on_remove,
            f"Single sign-on for {organisation.name} was turned off.",
            organisation=organisation,
            ip_address=web.client_ip(request),
        )
        return redirect(_page(organisation))
    return render(request, "partners/sso/sign_on_remove.html", {"organisation": organisation})


@login_not_required
@require_http_methods(["GET", "POST"])
def organisation_choose(request):
    """At a first single sign-on, where several organisations share the person's domain and
    let newcomers in: which one they work for. Asked once; the account is then made."""
    pending = adapter.pending_choice(request)
    if not pending:
        return redirect("login")
    organisations = Organisation.objects.filter(pk__in=pending["organisation_ids"]).order_by("name")
    form = forms.OrganisationChoiceForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        pending["chosen"] = form.cleaned_data["organisation"]
        request.session[adapter.PENDING_CHOICE_SESSION_KEY] = pending
        try:
            sociallogin = SocialLogin.deserialize(pending["sociallogin"])
        except (ValueError, SocialApp.DoesNotExist):
            request.session.pop(adapter.PENDING_CHOICE_SESSION_KEY, None)
            return redirect("login")
        response = complete_social_login(request, sociallogin)
        adapter.remember_multi_factor(request)
        return response
    return web.render_form(request, "partners/sso/organisation_choose.html", {}, form)


@login_not_required
@require_GET
def callback(request, provider_id):
    """The identity provider's answer (allauth's callback, with our checks of the ID token):
    at the redirect URI allauth would answer, /accounts/oidc/<provider_id>/login/callback/."""
    try:
        view = OAuth2CallbackView.adapter_view(adapter.SignOnOAuth2Adapter(request, provider_id))
        response = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    adapter.remember_multi_factor(request)
    return response
