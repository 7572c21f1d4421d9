"""Finding partners (/find-partners/): who already runs an initiative in a service area, nearest
to (or most like) the organisation the user acts for. A GET form; htmx swaps the results."""

from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import web
from initiatives.partnering import selectors
from initiatives.partnering.forms import FindPartnersForm
from partners import permissions as partner_permissions


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def find_partners(request):
    membership = partner_permissions.acting_membership(request)
    origin = membership.organisation if membership else None
    form = FindPartnersForm(request.GET if request.GET else None)
    context = {"form": form, "origin": origin, "page": None, "target": "#results"}
    if form.is_bound and form.is_valid():
        initiatives = selectors.initiatives_to_search(
            user=request.user, area=form.cleaned_data["area"], model=form.cleaned_data["model"]
        )
        view = form.cleaned_data["view"]
        found = selectors.organisations_found(origin=origin, initiatives=initiatives, view=view)
        page = web.page_of(request, found)
        running = selectors.initiatives_of(page.object_list, initiatives)
        context.update(
            page=page,
            view=view,
            area=form.cleaned_data["area"],
            results=[(o, running.get(o.pk, [])) for o in page.object_list],
            origin_place=selectors.place_of(origin),
        )
    status = 422 if form.is_bound and form.errors else 200  # swapped by htmx, like forms
    return render(
        request,
        web.partial(request, "partnering/find_partners.html", "results"),
        context,
        status=status,
    )
