"""The signed-in person's own account, the organisation they act for, and invitation links."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collaborate.kit import web
from partners import permissions
from partners.forms import ActingForForm, EmailPreferencesForm
from partners.mfa import enrolment
from partners.services import users as user_services


def _account_context(request, *, acting_form=None, emails_form=None):
    memberships = permissions.memberships_for_acting(request)
    second_factor = enrolment.state(request)  # (required, on), kept in the session
    if acting_form is None and len(memberships) > 1:
        acting_form = ActingForForm(memberships=memberships)
    return {
        "memberships": memberships,
        "acting_for": permissions.acting_membership(request),
        "acting_form": acting_form,
        "emails_form": _emails_form(request) if emails_form is None else emails_form,
        "is_admin": permissions.is_admin(request.user),
        "second_factor_required": second_factor[0],
        "second_factor_on": second_factor[1],
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
            return redirect(web.safe_next(request, "accounts:account"))
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
                invitation=invitation,
                token=token,
                password=form.cleaned_data["new_password1"],
                ip_address=web.client_ip(request),
            )
        except ValidationError as error:
            return render(
                request,
                "registration/invitation_invalid.html",
                {"problem": " ".join(error.messages)},
                status=410,
            )
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(
            request,
            f"Welcome to Collaborate. You are signed in for {invitation.organisation.name}.",
        )
        return redirect("home")
    return web.render_form(
        request, "registration/invitation_accept.html", {"invitation": invitation}, form
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, the new password set through the service that records it in
    the audit log; the person stays signed in here and is signed out everywhere else."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        user_services.password_change(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            ip_address=web.client_ip(self.request),
        )
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page behind a password-reset link (its checks of the link unchanged), the new
    password set through the service that records it in the audit log."""

    def form_valid(self, form):
        user_services.password_reset_complete(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            ip_address=web.client_ip(self.request),
        )
        # Django's own form_valid does this too: the link's token is spent with the session.
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
