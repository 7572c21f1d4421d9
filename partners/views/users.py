"""/users/: admins manage people and memberships; managers see and invite their own members."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from collaborate.kit.web import apply_validation_error, client_ip, page_of, partial, render_form
from partners import filters, permissions, selectors
from partners.forms import InviteForm, MembershipAddForm, RoleForm
from partners.models import Invitation, Membership, Organisation
from partners.services import users as user_services


def _require_users_page(request):
    if not permissions.can_view_users(request.user):
        raise PermissionDenied


def _invitable_organisations(user):
    allowed = permissions.organisations_user_may_invite_into(user)
    organisations = Organisation.objects.filter(active=True, merged_into__isnull=True)
    return organisations if allowed is None else organisations.filter(pk__in=allowed)


def _visible_person(request, pk):
    _require_users_page(request)
    return get_object_or_404(selectors.users_visible_to(request.user), pk=pk)


@require_GET
@vary_on_headers("HX-Request")
def user_list(request):
    _require_users_page(request)
    organisations = (
        Organisation.objects.filter(memberships__isnull=False).distinct().order_by("name")
        if permissions.is_admin(request.user)
        else Organisation.objects.filter(pk__in=permissions.managed_organisation_ids(request.user))
    )
    filterset = filters.UserFilterSet(
        request.GET, queryset=selectors.users_visible_to(request.user), organisations=organisations
    )
    page = page_of(request, filterset.qs)
    return render(
        request,
        partial(request, "partners/user_list.html", "results"),
        {
            "filterset": filterset,
            "page": page,
            "is_admin": permissions.is_admin(request.user),
            "managed": permissions.managed_organisation_ids(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def user_invite(request):
    _require_users_page(request)
    admin = permissions.is_admin(request.user)
    form = InviteForm(
        request.POST or None,
        organisations=_invitable_organisations(request.user),
        roles=Membership.Role.choices if admin else [(Membership.Role.OFFICER, "Officer")],
        can_defer=admin,
        initial={"send": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = user_services.user_invite(
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
                send=form.cleaned_data.get("send", True),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            sent = "An invitation email is on its way." if invitation.times_sent else ""
            messages.success(request, f"{invitation.user.full_name} was added. {sent}".strip())
            return redirect("users:detail", invitation.user_id)
    return render_form(request, "partners/user_invite.html", {}, form)


@require_GET
def user_detail(request, pk):
    person = _visible_person(request, pk)
    admin = permissions.is_admin(request.user)
    invitation = getattr(person, "invitation", None)
    history_page = None
    if permissions.can_view_user_history(request.user, person):
        history_page = page_of(request, selectors.user_history(person))
    return render(
        request,
        "partners/user_detail.html",
        {
            "person": person,
            "memberships": selectors.memberships_shown_to(request.user, person),
            "invitation": invitation,
            "can_resend": invitation is not None
            and not invitation.accepted
            and permissions.can_resend_invitation(request.user, invitation),
            "can_manage": admin,
            "add_form": MembershipAddForm() if admin else None,
            "page": history_page,
        },
    )


@require_POST
def invitation_resend(request, pk):
    person = _visible_person(request, pk)
    invitation = get_object_or_404(Invitation, user=person)
    try:
        user_services.invitation_resend(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation was sent again to {person.email}.")
    return redirect("users:detail", person.pk)


@require_POST
def membership_add(request, pk):
    person = _visible_person(request, pk)
    if not permissions.can_manage_users(request.user):
        raise PermissionDenied
    form = MembershipAddForm(request.POST)
    if form.is_valid():
        try:
            user_services.membership_add(actor=request.user, user=person, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{person} is now a member of {form.cleaned_data['organisation']}."
            )
            return redirect("users:detail", person.pk)
    return render_form(request, "partners/membership_add.html", {"person": person}, form)


@require_http_methods(["GET", "POST"])
def membership_change(request, pk):
    """Change a membership's role, or end it."""
    if not permissions.can_manage_users(request.user):
        raise PermissionDenied
    membership = get_object_or_404(Membership.objects.select_related("user", "organisation"), pk=pk)
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST":
        if "end" in request.POST:
            user_services.membership_end(actor=request.user, membership=membership)
            messages.success(
                request, f"{membership.user} is no longer a member of {membership.organisation}."
            )
            return redirect("users:detail", membership.user_id)
        if form.is_valid():
            user_services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, f"{membership.user}'s role was updated.")
            return redirect("users:detail", membership.user_id)
    return render_form(request, "partners/membership_change.html", {"membership": membership}, form)


@require_http_methods(["GET", "POST"])
def user_set_active(request, pk):
    person = _visible_person(request, pk)
    if not permissions.can_manage_users(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            user_services.user_set_active(
                actor=request.user, user=person, active=not person.is_active
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            state = "deactivated" if person.is_active else "reactivated"
            messages.success(request, f"{person}'s account was {state}.")
        return redirect("users:detail", person.pk)
    return render(request, "partners/user_set_active.html", {"person": person})


@require_http_methods(["GET", "POST"])
def locked_sign_ins(request):
    """Admins see sign-ins locked after repeated failures, and unlock them."""
    if not permissions.can_unlock_sign_ins(request.user):
        raise PermissionDenied
    if request.method == "POST":
        attempt = get_object_or_404(selectors.locked_sign_ins(), pk=request.POST.get("attempt"))
        user_services.sign_in_unlock(
            actor=request.user, attempt=attempt, ip_address=client_ip(request)
        )
        messages.success(
            request, f"Sign-in for {attempt.username or attempt.ip_address} was unlocked."
        )
        return redirect("users:locked")
    return render(
        request, "partners/locked_sign_ins.html", {"attempts": selectors.locked_sign_ins()}
    )
