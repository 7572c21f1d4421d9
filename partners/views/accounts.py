"""The signed-in person's own account, the organisation they act for, and invitation links."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collaborate.kit import web
from partners import permissions
from partners.forms import ActingForForm, EmailPreferencesForm
from partners.services import users as user_services


def _account_context(request, *, acting_form=None, emails_form=None):
    memberships = permissions.memberships_for_acting(request)
    if acting_form is None and len(memberships) > 1:
        acting_form = ActingForForm(memberships=memberships)
    return {
        "memberships": memberships,
        "acting_for": permissions.acting_membership(request),
        "acting_form": acting_form,
        "emails_form": _emails_form(request) if emails_form is None else emails_form,
        "is_admin": permissions.is_admin(request.user),
    }


def _emails_form(request, data=None):
    return EmailPreferencesForm(data, user=request.user, names=user_services.EMAIL_PREFERENCES)


@require_GET
def account(request):
    return render(request, "partners/account.html", _account_context(request))


@require_POST
def acting_for(request):
    """Choose which of one's organisations to act for. The choice is checked against the
    person's memberships, whatever the request says."""
    memberships = permissions.memberships_for_acting(request)
    form = ActingForForm(request.POST, memberships=memberships)
    if form.is_valid():
        try:
            organisation = user_services.acting_for_choose(
                user=request.user, organisation_id=form.cleaned_data["organisation"]
            )
        except ValidationError as error:
            form.add_error("organisation", error.messages)
        else:
            request.session[permissions.ACTING_FOR_SESSION_KEY] = organisation.pk
            messages.success(request, f"You are now acting for {organisation.name}.")
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                next_url, {request.get_host()}, require_https=request.is_secure()
            ):
                next_url = "accounts:account"
            return redirect(next_url)
    return web.render_form(
        request,
        "partners/account.html",
        _account_context(request, acting_form=form),
        form,
        status=400,
    )


@require_POST
def emails(request):
    """Save which optional emails the signed-in person gets (a plain form on /accounts/)."""
    form = _emails_form(request, request.POST)
    if form.is_valid():
        try:
            user_services.user_email_preferences_set(
                actor=request.user, user=request.user, chosen=form.cleaned_data["emails"]
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(request, "Your email choices are saved.")
            return redirect("accounts:account")
    return web.render_form(
        request, "partners/account.html", _account_context(request, emails_form=form), form
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, reference, token):
    """The page an invitation email links to: the invited person sets their password."""
    invitation, problem = user_services.invitation_for_link(reference, token)
    if problem:
        return render(
            request, "registration/invitation_invalid.html", {"problem": problem}, status=410
        )
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_services.invitation_accept(
                invitation=invitation, token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            return render(
                request,
                "registration/invitation_invalid.html",
                {"problem": " ".join(error.messages)},
                status=410,
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            f"Welcome to Collaborate. You are signed in for {invitation.organisation.name}.",
        )
        return redirect("home")
    return web.render_form(
        request, "registration/invitation_accept.html", {"invitation": invitation}, form
    )
