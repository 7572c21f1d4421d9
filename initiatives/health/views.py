"""The health-check section of an initiative: the latest scores, where partners disagree, the
trend, who has answered, and the form a partner answers with (a plain form; htmx swaps the
section in place when it is there)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import edits, web
from initiatives import permissions, selectors
from initiatives.health import selectors as health_selectors
from initiatives.health import services
from initiatives.health.forms import HealthCheckForm
from initiatives.views import section_context
from partners import permissions as partner_permissions
from partners.permissions import require

TEMPLATE = "health/section_health.html"


def _visible(request, pk):
    """The initiative if this user may see its health check; a 404 that reveals nothing
    otherwise (not even to someone who may see the initiative)."""
    initiative = get_object_or_404(selectors.initiatives_for_page(user=request.user), pk=pk)
    if not permissions.can_view_health_checks(request.user, initiative):
        raise Http404
    return initiative


def _render(request, initiative, organisation, form=None, status=200):
    section = health_selectors.health_section(initiative, organisation=organisation)
    can_answer = permissions.can_answer_health_check(request.user, initiative, organisation)
    if can_answer and form is None:
        form = HealthCheckForm(answer=section.own)
    return render(
        request,
        web.partial(request, TEMPLATE, "initiative-sections"),
        {
            **section_context(request, initiative, "health"),
            "health": section,
            "form": form if can_answer else None,
            "organisation": organisation,
            "can_follow_up": permissions.can_follow_up_health_checks(request.user, initiative),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def initiative_health(request, pk):
    initiative = _visible(request, pk)
    acting = partner_permissions.acting_membership(request)
    organisation = acting.organisation if acting else None
    if request.method == "GET":
        return _render(request, initiative, organisation)
    require(
        permissions.can_answer_health_check(request.user, initiative, organisation),
        services.REFUSED,
    )
    form = HealthCheckForm(request.POST)
    if form.is_valid():
        try:
            services.health_check_answer(
                actor=request.user,
                initiative=initiative,
                organisation=organisation,
                scores=form.scores(),
                comments=form.comments(),
                expected_version=form.cleaned_data["version"],
            )
        except edits.EditConflict as conflict:
            # Show the answer stored now, with its version, so that sending again saves.
            stored = health_selectors.health_section(initiative, organisation=organisation).own
            current = HealthCheckForm(answer=stored)
            form = HealthCheckForm(
                {
                    name: value
                    for name in current.fields
                    if (value := current[name].value()) is not None
                }
            )
            form.is_valid()
            form.add_error(None, conflict)
            return _render(request, initiative, organisation, form, status=409)
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{organisation.name}'s answer to the health check was saved."
            )
            return redirect("initiatives:health", initiative.pk)
    return _render(request, initiative, organisation, form, status=422)
