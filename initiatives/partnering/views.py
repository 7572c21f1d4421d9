"""Finding partners (/find-partners/): who already runs an initiative in a service area, nearest
to (or most like) the organisation the user acts for, and a message to the lead of one found.
The search is a GET form (htmx swaps the results); the message a POST form."""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import cache as kit_cache
from collaborate.kit import web
from initiatives import permissions
from initiatives.partnering import selectors, services
from initiatives.partnering.forms import FindPartnersForm, InterestForm
from initiatives.progress import selectors as progress_selectors
from partners import permissions as partner_permissions
from partners import selectors as partner_selectors

RESULTS_TEMPLATE = "partnering/results.html"
VERSION_KEYS = (progress_selectors.VERSION_KEY, partner_selectors.DIRECTORY_VERSION_KEY)


def _origin(request):
    membership = partner_permissions.acting_membership(request)
    return membership.organisation if membership else None


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def find_partners(request):
    origin = _origin(request)
    form = FindPartnersForm(request.GET if request.GET else None)
    context = {"form": form, "origin": origin, "found_count": None, "results_markup": None}
    if form.is_bound and form.is_valid():
        initiatives = selectors.initiatives_to_search(
            user=request.user, area=form.cleaned_data["area"], model=form.cleaned_data["model"]
        )
        context.update(_results(request, form, origin, selectors.initiative_ids(initiatives)))
    status = 422 if form.is_bound and form.errors else 200  # swapped by htmx, like forms
    return render(
        request,
        web.partial(request, "partnering/find_partners.html", "results"),
        context,
        status=status,
    )


def _results(request, form, origin, initiative_ids):
    """{found_count, results_markup, filters_markup, origin_placed}: the organisations running
    the initiatives found, ranked, and the page of them asked for, with what each runs; the
    search form as filled in; whether the organisation searched from has a place.

    Which initiatives the user may find is read on every request (`initiative_ids`); the rest
    is made once for the same findings and cached. The key holds what it depends on besides:
    the organisation searched from and whether its people may write, the address (area, model,
    view, page); and it is kept only while the versions that move when an initiative or its
    partners change (the progress tables') and when an organisation or a place changes (the
    directory's) stay where they were. Only an address of the form's own fields is cached."""
    can_write = permissions.can_write_to_leads_for(request.user, origin)
    path = request.get_full_path()
    cacheable = set(request.GET) <= {*form.fields, "page"} and len(path) < 300
    key = (
        "collaborate:find-partners:"
        + hashlib.sha256(
            repr((getattr(origin, "pk", None), can_write, path, initiative_ids)).encode()
        ).hexdigest()
    )
    made, versions = kit_cache.versioned_get(key, VERSION_KEYS)
    if made is None:
        running = selectors.running_in(initiative_ids)
        view = form.cleaned_data["view"]
        found = selectors.organisations_found(origin=origin, running=running, view=view)
        page = web.page_of(request, found)
        shown = selectors.initiatives_of(page.object_list, running, origin=origin)
        results = [(o, selectors.Shared(o.shared), shown.get(o.pk, [])) for o in page.object_list]
        context = {"form": form, "page": page, "results": results, "can_write": can_write}
        context.update(target="#results", here=path)
        made = {
            "found_count": page.paginator.count,
            "results_markup": render_to_string(RESULTS_TEMPLATE, context, request=request),
            "filters_markup": form.render(),
            "origin_placed": selectors.place_of(origin) is not None,
        }
        if cacheable:
            kit_cache.versioned_set(key, made, versions, progress_selectors.FIGURES_TIMEOUT)
    return made


def _refusal(request, initiative, organisation):
    """Why the user may not write about this initiative, or None."""
    if not permissions.can_write_to_leads_for(request.user, organisation):
        return "Only officers and managers acting for an organisation can send messages."
    if not initiative.accepts_interest:
        return f"{initiative.lead.name} does not take messages about this initiative here."
    if organisation.pk in permissions.active_partner_ids(initiative):
        return f"{organisation.name} is already a partner of this initiative."
    return None


@require_http_methods(["GET", "POST"])
def interest(request, pk):
    """Write to the managers of the organisation leading an initiative found here."""
    initiative = get_object_or_404(
        permissions.initiatives_findable_by(user=request.user).select_related("lead"), pk=pk
    )
    organisation = _origin(request)
    context = {"initiative": initiative, "organisation": organisation}
    if refusal := _refusal(request, initiative, organisation):
        context["refusal"] = refusal
        return render(request, "partnering/interest.html", context, status=403)
    form = InterestForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_express(
                actor=request.user,
                organisation=organisation,
                initiative=initiative,
                message=form.cleaned_data["message"],
                ip_address=web.client_ip(request),
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"Your message was sent to the managers of {initiative.lead.name}. "
                "Their answers will come to your email address.",
            )
            return redirect(web.safe_next(request, reverse("partnering:find")))
    return web.render_form(request, "partnering/interest.html", context, form)
