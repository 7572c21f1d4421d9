"""Finding partners (/find-partners/): who already runs an initiative in a service area, nearest
to (or most like) the organisation the user acts for, and a message to the lead of one found.
The search is a GET form (htmx swaps the results); the message a POST form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import web
from initiatives import permissions
from initiatives.partnering import selectors, services
from initiatives.partnering.forms import FindPartnersForm, InterestForm
from partners import permissions as partner_permissions


def _origin(request):
    membership = partner_permissions.acting_membership(request)
    return membership.organisation if membership else None


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def find_partners(request):
    origin = _origin(request)
    form = FindPartnersForm(request.GET if request.GET else None)
    context = {"form": form, "origin": origin, "page": None, "target": "#results"}
    if form.is_bound and form.is_valid():
        initiatives = selectors.initiatives_to_search(
            user=request.user, area=form.cleaned_data["area"], model=form.cleaned_data["model"]
        )
        view = form.cleaned_data["view"]
        found = selectors.organisations_found(origin=origin, initiatives=initiatives, view=view)
        page = web.page_of(request, found)
        running = selectors.initiatives_of(page.object_list, initiatives, origin=origin)
        context.update(
            page=page,
            view=view,
            results=[
                (o, selectors.Shared(o.shared), running.get(o.pk, [])) for o in page.object_list
            ],
            origin_place=selectors.place_of(origin),
            can_write=permissions.can_write_to_leads_for(request.user, origin),
            here=request.get_full_path(),
        )
    status = 422 if form.is_bound and form.errors else 200  # swapped by htmx, like forms
    return render(
        request,
        web.partial(request, "partnering/find_partners.html", "results"),
        context,
        status=status,
    )


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
