"""/users/: admins manage people and memberships; managers see and invite their own members."""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import exports, web
from collaborate.kit.filters import record_id
from partners import columns, filters, permissions, selectors
from partners.forms import InviteForm, MembershipAddForm, RoleForm
from partners.mfa import services as second_factors
from partners.models import Invitation
from partners.services import audit, retention
from partners.services import users as user_services


def _visible_person(request, pk):
    """A person the users pages show to this user: 403 for those who may not open the users
    pages at all, 404 for a person they may not see."""
    permissions.require(permissions.can_view_users(request.user))
    return get_object_or_404(selectors.users_visible_to(user=request.user), pk=pk)


def _user_filterset(request):
    user = request.user
    permissions.require(permissions.can_view_users(user))
    return filters.UserFilterSet(
        request.GET,
        queryset=selectors.users_visible_to(user=user),
        organisations=selectors.organisations_to_filter_users_by(user=user),
    )


@require_GET
@vary_on_headers("HX-Request")
def user_list(request):
    user = request.user
    filterset = _user_filterset(request)
    page = web.page_of(request, filterset.qs)
    return render(
        request,
        web.partial(request, "partners/user_list.html", "results"),
        {
            "filterset": filterset,
            "page": page,
            "can_view_all_users": permissions.can_view_all_users(user),
            "can_unlock_sign_ins": permissions.can_unlock_sign_ins(user),
        },
    )


@require_GET
def user_download(request, fmt):
    """The people the users list shows under its filters, all of them, as CSV or XLSX. Names
    and email addresses are personal data: the download is recorded in the audit log."""
    filterset = _user_filterset(request)
    audit.export_record(
        actor=request.user,
        export=f"users.{fmt}",
        query=request.GET,
        ip_address=web.client_ip(request),
    )
    rows = filterset.qs.iterator(chunk_size=500)
    return exports.download(fmt, "users", columns.USERS, rows)


@require_http_methods(["GET", "POST"])
def user_invite(request):
    user = request.user
    permissions.require(permissions.can_view_users(user))
    form = InviteForm(
        request.POST or None,
        organisations=permissions.organisations_invitable_by(user=user),
        roles=permissions.roles_invitable_by(user=user),
        can_defer=permissions.can_defer_invitation(user),
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
                ip_address=web.client_ip(request),
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            sent = "An invitation email is on its way." if invitation.times_sent else ""
            messages.success(request, f"{invitation.user.full_name} was added. {sent}".strip())
            return redirect("users:detail", invitation.user_id)
    return web.render_form(request, "partners/user_invite.html", {}, form)


def _membership_add_form(data=None):
    return MembershipAddForm(data, organisations=permissions.organisations_selectable())


@require_GET
def user_detail(request, pk):
    person = _visible_person(request, pk)
    can_manage = permissions.can_manage_users(request.user)
    invitation = getattr(person, "invitation", None)
    history_page = None
    if permissions.can_view_user_history(request.user, person):
        history_page = web.page_of(request, selectors.user_history(person))
    return render(
        request,
        "partners/user_detail.html",
        {
            "person": person,
            "memberships": selectors.memberships_shown_to(user=request.user, person=person),
            "invitation": invitation,
            "can_resend": invitation is not None
            and not invitation.accepted
            and permissions.can_resend_invitation(request.user, invitation),
            "can_manage": can_manage,
            "can_set_active": permissions.can_set_active(request.user, person),
            "can_anonymise": permissions.can_anonymise(request.user, person),
            "can_set_audit_scope": permissions.can_set_audit_scope(request.user, person),
            "can_reset_second_factor": permissions.can_reset_second_factor(request.user, person)
            and is_mfa_enabled(person),
            "add_form": _membership_add_form() if can_manage else None,
            "page": history_page,
        },
    )


@require_POST
def invitation_resend(request, pk):
    person = _visible_person(request, pk)
    invitation = get_object_or_404(Invitation, user=person)
    web.perform(
        request,
        user_services.invitation_resend,
        f"The invitation was sent again to {person.email}.",
        invitation=invitation,
        ip_address=web.client_ip(request),
    )
    return redirect("users:detail", person.pk)


@require_POST
def membership_add(request, pk):
    person = _visible_person(request, pk)
    permissions.require(permissions.can_manage_users(request.user))
    form = _membership_add_form(request.POST)
    if form.is_valid():
        try:
            user_services.membership_add(
                actor=request.user,
                user=person,
                ip_address=web.client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{person} is now a member of {form.cleaned_data['organisation']}."
            )
            return redirect("users:detail", person.pk)
    return web.render_form(request, "partners/membership_add.html", {"person": person}, form)


@require_http_methods(["GET", "POST"])
def membership_change(request, pk):
    """Change a membership's role, or end it."""
    permissions.require(permissions.can_manage_users(request.user))
    membership = get_object_or_404(
        permissions.memberships_visible_to(user=request.user).select_related(
            "user", "organisation"
        ),
        pk=pk,
    )
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST":
        if "end" in request.POST:
            user_services.membership_end(
                actor=request.user, membership=membership, ip_address=web.client_ip(request)
            )
            messages.success(
                request, f"{membership.user} is no longer a member of {membership.organisation}."
            )
            return redirect("users:detail", membership.user_id)
        if form.is_valid():
            user_services.membership_change_role(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                ip_address=web.client_ip(request),
            )
            messages.success(request, f"{membership.user}'s role was updated.")
            return redirect("users:detail", membership.user_id)
    return web.render_form(
        request, "partners/membership_change.html", {"membership": membership}, form
    )


@require_http_methods(["GET", "POST"])
def user_set_active(request, pk):
    person = _visible_person(request, pk)
    permissions.require(permissions.can_manage_users(request.user))
    if request.method == "POST":
        state = "deactivated" if person.is_active else "reactivated"
        web.perform(
            request,
            user_services.user_set_active,
            f"{person}'s account was {state}.",
            user=person,
            active=not person.is_active,
            ip_address=web.client_ip(request),
        )
        return redirect("users:detail", person.pk)
    return render(request, "partners/user_set_active.html", {"person": person})


@require_http_methods(["GET", "POST"])
def user_audit_scope(request, pk):
    """Confirm, then give someone every organisation to audit, or take it away."""
    person = _visible_person(request, pk)
    permissions.require(permissions.can_set_audit_scope(request.user, person))
    if request.method == "POST":
        every = not person.audits_every_organisation
        scope = "audits every organisation now" if every else "no longer audits every organisation"
        web.perform(
            request,
            user_services.user_set_audit_scope,
            f"{person} {scope}.",
            user=person,
            every_organisation=every,
            ip_address=web.client_ip(request),
        )
        return redirect("users:detail", person.pk)
    return render(request, "partners/user_audit_scope.html", {"person": person})


@require_http_methods(["GET", "POST"])
def user_anonymise(request, pk):
    """Admins anonymise a deactivated person who asked for their data to be erased."""
    person = _visible_person(request, pk)
    permissions.require(permissions.can_anonymise(request.user, person))
    if request.method == "POST":
        web.perform(
            request,
            retention.person_anonymise,
            f"{person}'s account was anonymised.",
            person=person,
            ip_address=web.client_ip(request),
        )
        return redirect("users:detail", person.pk)
    return render(request, "partners/user_anonymise.html", {"person": person})


@require_http_methods(["GET", "POST"])
def locked_sign_ins(request):
    """Admins see sign-ins locked after repeated failures, and unlock them."""
    permissions.require(permissions.can_unlock_sign_ins(request.user))
    if request.method == "POST":
        chosen = request.POST.get("attempt", "")
        attempt = get_object_or_404(selectors.locked_sign_ins(), pk=record_id(chosen))
        user_services.sign_in_unlock(
            actor=request.user, attempt=attempt, ip_address=web.client_ip(request)
        )
        messages.success(
            request, f"Sign-in for {attempt.username or attempt.ip_address} was unlocked."
        )
        return redirect("users:locked")
    return render(
        request, "partners/locked_sign_ins.html", {"attempts": selectors.locked_sign_ins()}
    )


@require_http_methods(["GET", "POST"])
def user_second_factor_reset(request, pk):
    """Admins remove someone's second factors (a lost phone): from their next request they set
    one up again if their role needs one. A 404 for anyone else, and for oneself."""
    person = get_object_or_404(selectors.users_visible_to(user=request.user), pk=pk)
    if not permissions.can_reset_second_factor(request.user, person):
        raise Http404
    if request.method == "POST":
        web.perform(
            request,
            second_factors.second_factor_reset,
            f"{person}'s two-factor authentication was reset.",
            person=person,
            ip_address=web.client_ip(request),
        )
        return redirect("users:detail", person.pk)
    return render(request, "partners/user_second_factor_reset.html", {"person": person})
