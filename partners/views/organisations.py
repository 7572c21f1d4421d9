"""Pages for the organisation directory and for admins managing organisations."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import edits, exports, web
from partners import columns, filters, permissions, selectors
from partners.forms import MergeSearchForm, OrganisationForm
from partners.services import organisations as organisation_services


def _admin_only(request):
    permissions.require(permissions.can_manage_organisations(request.user))


def _visible_organisation(request, pk):
    return get_object_or_404(selectors.organisations_visible_to(user=request.user), pk=pk)


@require_GET
@vary_on_headers("HX-Request")
def organisation_list(request):
    filterset = filters.OrganisationFilterSet(
        request.GET, queryset=selectors.organisations_visible_to(user=request.user)
    )
    page = web.page_of(request, filterset.qs)
    template = web.partial(request, "partners/organisation_list.html", "results")
    return render(
        request,
        template,
        {
            "filterset": filterset,
            "page": page,
            "can_manage": permissions.can_manage_organisations(request.user),
        },
    )


@require_GET
def organisation_download(request, fmt):
    filterset = filters.OrganisationFilterSet(
        request.GET, queryset=selectors.organisations_visible_to(user=request.user)
    )
    rows = filterset.qs.iterator(chunk_size=500)
    return exports.download(fmt, "organisations", columns.ORGANISATIONS, rows)


@require_http_methods(["GET", "POST"])
def organisation_create(request):
    _admin_only(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        organisation = organisation_services.organisation_create(actor=request.user, **fields)
        messages.success(request, f"{organisation.name} was added.")
        return redirect(organisation)
    return web.render_form(request, "partners/organisation_form.html", {"organisation": None}, form)


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    _admin_only(request)
    organisation = _visible_organisation(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            organisation_services.organisation_update(
                actor=request.user,
                organisation=organisation,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except edits.EditConflict as conflict:
            # Show what is stored now, with the reason, so that nothing is overwritten blindly.
            current = _visible_organisation(request, pk)
            return web.render_conflict(
                request,
                "partners/organisation_form.html",
                {"organisation": current},
                OrganisationForm.showing_conflict(current, conflict),
            )
        messages.success(request, f"{organisation.name} was updated.")
        return redirect(organisation)
    return web.render_form(
        request, "partners/organisation_form.html", {"organisation": organisation}, form
    )


@require_GET
def organisation_detail(request, pk):
    organisation = _visible_organisation(request, pk)
    can_view_members = permissions.can_view_members(request.user, organisation)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            **selectors.organisation_relatives(organisation),
            "members": selectors.organisation_members(organisation) if can_view_members else None,
            "can_manage": permissions.can_manage_organisations(request.user),
            "can_view_history": permissions.can_view_organisation_history(
                request.user, organisation
            ),
            "can_view_dashboard": permissions.can_view_organisation_dashboard(
                request.user, organisation
            ),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def organisation_history(request, pk):
    organisation = _visible_organisation(request, pk)
    permissions.require(permissions.can_view_organisation_history(request.user, organisation))
    page = web.page_of(request, selectors.organisation_history(organisation))
    return render(
        request,
        web.partial(request, "partners/organisation_history.html", "history"),
        {"organisation": organisation, "page": page},
    )


@require_http_methods(["GET", "POST"])
def organisation_set_active(request, pk):
    """Confirm, then deactivate (or reactivate) an organisation."""
    _admin_only(request)
    organisation = _visible_organisation(request, pk)
    if request.method == "POST":
        state = "deactivated" if organisation.active else "reactivated"
        web.perform(
            request,
            organisation_services.organisation_set_active,
            f"{organisation.name} was {state}.",
            organisation=organisation,
            active=not organisation.active,
        )
        return redirect(organisation)
    return render(request, "partners/organisation_set_active.html", {"organisation": organisation})


@require_GET
def organisation_merge_choose(request, pk):
    """Step 1 of a merge into this organisation: find the duplicate by name."""
    _admin_only(request)
    survivor = _visible_organisation(request, pk)
    form = MergeSearchForm(request.GET or None)
    matches = None
    if form.is_valid():
        matches = selectors.organisations_to_merge_into(survivor, form.cleaned_data["q"])
    return web.render_form(
        request,
        "partners/organisation_merge_choose.html",
        {"organisation": survivor, "matches": matches},
        form,
    )


@require_http_methods(["GET", "POST"])
def organisation_merge_confirm(request, pk, duplicate_pk):
    """Step 2: what will move, then the merge itself."""
    _admin_only(request)
    survivor = _visible_organisation(request, pk)
    duplicate = _visible_organisation(request, duplicate_pk)
    refusal = selectors.merge_refusal(duplicate, survivor)
    if request.method == "POST" and not refusal:
        try:
            organisation_services.organisation_merge(
                actor=request.user,
                duplicate=duplicate,
                survivor=survivor,
                ip_address=web.client_ip(request),
            )
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"{duplicate.name} was merged into {survivor.name}.")
            return redirect(survivor)
    return render(
        request,
        "partners/organisation_merge_confirm.html",
        {
            "organisation": survivor,
            "duplicate": duplicate,
            "impact": selectors.merge_impact(duplicate),
            "refusal": refusal,
        },
        status=422 if refusal and request.method == "POST" else 200,
    )
