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
from partners.forms import ActingForForm
from partners.services import users as user_services


@require_GET
def account(request):
    memberships = permissions.memberships_for_acting(request)
    return render(
        request,
        "partners/account.html",
        {
            "memberships": memberships,
            "acting_for": permissions.acting_membership(request),
            "acting_form": ActingForForm(memberships=memberships) if len(memberships) > 1 else None,
            "is_admin": permissions.is_admin(request.user),
        },
    )


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
        {
            "memberships": memberships,
            "acting_for": permissions.acting_membership(request),
            "acting_form": form,
            "is_admin": permissions.is_admin(request.user),
        },
        form,
        status=400,
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
