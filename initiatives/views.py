"""Pages for initiatives: the list, creating and editing, and each initiative's sections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import edits, exports, web
from collaborate.kit.filters import record_id
from initiatives import columns, filters, permissions, selectors, services
from initiatives.forms import InitiativeForm, PartnerSearchForm, SharesForm, StatusForm, TargetsForm
from initiatives.library import selectors as library_selectors
from initiatives.models import Partnership
from initiatives.progress import selectors as progress_selectors
from partners import permissions as partner_permissions
from partners.models import Organisation
from partners.permissions import require


def _list_filterset(request):
    return filters.InitiativeFilterSet(
        request.GET,
        queryset=selectors.with_progress(selectors.initiatives_for_page(user=request.user)),
    )


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def initiative_list(request):
    filterset = _list_filterset(request)
    page = web.page_of(request, filterset.qs)
    # Another page (an organisation's) may load these results into itself: its links are then
    # plain links to this list, and it has no results counter to update.
    embedded = web.is_fragment_request(request) and request.htmx.target != "results"
    partner = request.GET.get("partner")
    return render(
        request,
        web.partial(request, "initiatives/initiative_list.html", "results"),
        {
            "filterset": filterset,
            "page": page,
            "embedded": embedded,
            "target": None if embedded else "#results",
            "partner": None
            if record_id(partner) is None
            else Organisation.objects.filter(pk=record_id(partner)).first(),
            "can_create": permissions.can_create_any_initiative(request.user),
        },
    )


CHUNK = 1000  # rows a download reads at a time: memory stays flat however many there are


@require_GET
def initiative_download(request, fmt):
    """The list's filtered initiatives, all of them, as CSV or XLSX (the workbook adds a sheet
    of partners and one of targets by financial year: see initiatives/columns.py)."""
    initiatives = _list_filterset(request).qs
    return exports.download(
        fmt,
        "initiatives",
        columns.INITIATIVES,
        selectors.for_download(initiatives).iterator(chunk_size=CHUNK),
        sheets=[
            (
                "Partners",
                columns.PARTNERS,
                selectors.partnerships_for_download(initiatives).iterator(chunk_size=CHUNK),
            ),
            (
                "Targets",
                columns.TARGETS,
                selectors.targets_for_download(initiatives).iterator(chunk_size=CHUNK),
            ),
        ]
        if fmt == "xlsx"
        else (),
    )


def _lead_choices(request):
    """Admins choose the lead; everyone else leads with the organisation they act for."""
    if partner_permissions.is_admin(request.user):
        return partner_permissions.organisations_selectable()
    return None


@require_http_methods(["GET", "POST"])
def initiative_create(request):
    acting = partner_permissions.acting_membership(request)
    require(
        permissions.can_create_any_initiative(request.user),
        "You need to be a member of an organisation to create an initiative.",
    )
    form = InitiativeForm(
        request.POST or None,
        lead_choices=_lead_choices(request),
        initial={"lead": acting.organisation_id if acting else None},
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields.pop("version", None)
        lead = fields.pop("lead", None) or acting.organisation
        try:
            initiative = services.initiative_create(actor=request.user, lead=lead, **fields)
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            next_step = (
                "Add its partners next."
                if permissions.can_manage_partners(request.user, initiative)
                else f"A manager of {initiative.lead.name} adds its partners."
            )
            messages.success(request, f"{initiative.reference} was created. {next_step}")
            return redirect("initiatives:partners", initiative.pk)
    return web.render_form(
        request, "initiatives/initiative_form.html", {"initiative": None, "acting": acting}, form
    )


SECTIONS = [
    ("overview", "Overview", "initiatives:detail"),
    ("partners", "Partners", "initiatives:partners"),
    ("targets", "Targets", "initiatives:targets"),
    ("claims", "Claims", "initiatives:claims"),
    ("health", "Health check", "initiatives:health"),
    ("documents", "Documents", "initiatives:documents"),
    ("history", "History", "initiatives:history"),
]


def section_context(request, initiative, section):
    health = permissions.can_view_health_checks(request.user, initiative, known_visible=True)
    return {
        "initiative": initiative,
        "section": section,
        "section_links": [s for s in SECTIONS if health or s[0] != "health"],
        "can_edit": permissions.can_edit_initiative(request.user, initiative),
        "can_manage_partners": permissions.can_manage_partners(request.user, initiative),
        "can_publish": permissions.can_publish_initiative(request.user, initiative),
    }


def _section(request, initiative, section, template, context=None, status=200):
    return render(
        request,
        web.partial(request, template, "initiative-sections"),
        {**section_context(request, initiative, section), **(context or {})},
        status=status,
    )


def _visible(request, pk):
    """The initiative if this user may see it; a 404 that reveals nothing otherwise."""
    return get_object_or_404(selectors.initiatives_for_page(user=request.user), pk=pk)


def _editable(request, pk, rule=permissions.can_edit_initiative):
    """The initiative if the user may see it (404 otherwise) and do this to it (403 otherwise:
    `rule`, editing unless said)."""
    initiative = _visible(request, pk)
    require(rule(request.user, initiative))
    return initiative


def _section_form_post(request, initiative, section, template, *, details, save, done):
    """A section form's POST. `details(request, initiative, data)` is the section's context, its
    form bound to `data`; `save(form)` is the form's service call. Saved: the user is told `done`
    and sees the section again. Refused: the form shows what is wrong (422). A lost update, when
    someone saved the initiative since the form was loaded: the form shows the values stored now
    and the version stored now, with the conflict as its error (409), so that sending it again
    saves."""
    context = details(request, initiative, request.POST)
    form = context["form"]
    if form.is_valid():
        try:
            save(form)
        except edits.EditConflict as conflict:
            current = _visible(request, initiative.pk)
            stored = details(request, current, None)["form"]
            context = details(
                request,
                current,
                {
                    name: value
                    for name in stored.fields
                    if (value := stored[name].value()) is not None
                },
            )
            context["form"].is_valid()
            context["form"].add_error(None, conflict)
            return web.render_conflict(
                request,
                web.partial(request, template, "initiative-sections"),
                {**section_context(request, current, section), **context},
                context["form"],
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(request, done)
            url_name = next(name for key, _, name in SECTIONS if key == section)
            return redirect(url_name, initiative.pk)
    return _section(request, initiative, section, template, context, status=422)


PANEL = "initiatives/includes/progress_panel.html"


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def initiative_detail(request, pk):
    initiative = _visible(request, pk)
    panel = selectors.progress_panel(initiative)
    if web.is_fragment_request(request) and request.htmx.target == "progress-panel":
        # The panel polling while a recompute is pending: nothing to swap until it is done.
        if panel.pending:
            return HttpResponse(status=204)
        return render(request, PANEL, {"initiative": initiative, "panel": panel})
    return _section(
        request,
        initiative,
        "overview",
        "initiatives/section_overview.html",
        {
            "partnerships": [p for p in selectors.partnerships_of(initiative) if p.active],
            "targets": selectors.targets_of(initiative),
            "panel": panel,
        },
    )


@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk):
    initiative = _editable(request, pk)
    form = InitiativeForm(request.POST or None, instance=initiative)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        version = fields.pop("version", None)
        try:
            services.initiative_update(
                actor=request.user, initiative=initiative, expected_version=version, **fields
            )
        except edits.EditConflict as conflict:
            current = _visible(request, pk)
            return web.render_conflict(
                request,
                "initiatives/initiative_form.html",
                {"initiative": current},
                InitiativeForm.showing_conflict(current, conflict),
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(request, f"{initiative.reference} was updated.")
            return redirect(initiative)
    return web.render_form(
        request, "initiatives/initiative_form.html", {"initiative": initiative}, form
    )


def _partners_details(request, initiative, data=None):
    """The partners section's rows and, for those who manage the partners, the form setting every
    active partner's share at once (bound to `data` when sent)."""
    partnerships = selectors.partnerships_of(initiative)
    active = [p for p in partnerships if p.active]
    form = None
    if permissions.can_manage_partners(request.user, initiative):
        form = SharesForm(data, partnerships=active, initial={"version": initiative.version})
    return {
        "rows": form.rows() if form else [(p, None) for p in active],
        "former": [p for p in partnerships if not p.active],
        "form": form,
    }


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def initiative_partners(request, pk):
    initiative = _visible(request, pk)
    template = "initiatives/section_partners.html"
    if request.method == "GET":
        return _section(
            request, initiative, "partners", template, _partners_details(request, initiative)
        )
    require(permissions.can_manage_partners(request.user, initiative), services.MANAGERS_ONLY)
    return _section_form_post(
        request,
        initiative,
        "partners",
        template,
        details=_partners_details,
        save=lambda form: services.shares_set(
            actor=request.user,
            initiative=initiative,
            shares=form.shares(),
            expected_version=form.cleaned_data["version"],
        ),
        done="The shares of savings were saved.",
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def initiative_partner_add(request, pk):
    """Find an organisation by name, then add it as a partner (at a share of 0). Officers of the
    lead may search, to propose a partner to a manager; managers add it."""
    initiative = _editable(request, pk)
    if request.method == "POST":
        require(permissions.can_manage_partners(request.user, initiative), services.MANAGERS_ONLY)
        chosen = request.POST.get("organisation", "")
        organisation = get_object_or_404(Organisation, pk=record_id(chosen))
        web.perform(
            request,
            services.partnership_add,
            f"{organisation.name} was added as a partner, with a share of 0%.",
            initiative=initiative,
            organisation=organisation,
        )
        return redirect("initiatives:partners", initiative.pk)
    form = PartnerSearchForm(request.GET or None)
    matches = (
        selectors.organisations_to_add(initiative, form.cleaned_data["q"])
        if form.is_valid()
        else None
    )
    return render(
        request,
        web.partial(request, "initiatives/partner_add.html", "matches"),
        {
            "initiative": initiative,
            "form": form,
            "matches": matches,
            "can_manage_partners": permissions.can_manage_partners(request.user, initiative),
        },
        status=422 if form.errors else 200,
    )


@require_POST
def initiative_partner_remove(request, pk, partnership_pk):
    initiative = _editable(request, pk, permissions.can_manage_partners)
    partnership = get_object_or_404(Partnership, pk=partnership_pk, initiative=initiative)
    web.perform(
        request,
        services.partnership_remove,
        f"{partnership.organisation.name} is no longer a partner.",
        partnership=partnership,
    )
    return redirect("initiatives:partners", initiative.pk)


def _targets_details(request, initiative, data=None):
    """The targets section's targets and, for those who may edit the initiative, its form (bound
    to `data` when sent)."""
    form = None
    if permissions.can_edit_initiative(request.user, initiative):
        form = TargetsForm(data, initiative=initiative)
    return {"targets": selectors.targets_of(initiative), "form": form}


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def initiative_targets(request, pk):
    initiative = _visible(request, pk)
    template = "initiatives/section_targets.html"
    if request.method == "GET":
        return _section(
            request, initiative, "targets", template, _targets_details(request, initiative)
        )
    require(permissions.can_edit_initiative(request.user, initiative))
    return _section_form_post(
        request,
        initiative,
        "targets",
        template,
        details=_targets_details,
        save=lambda form: services.targets_set(
            actor=request.user,
            initiative=initiative,
            targets=form.targets(),
            not_for_savings=form.cleaned_data["not_for_savings"],
            reason=form.cleaned_data["not_for_savings_reason"],
            savings_expected_from=form.cleaned_data["savings_expected_from"],
            expected_version=form.cleaned_data["version"],
        ),
        done="The savings targets were saved.",
    )


@require_GET
@vary_on_headers("HX-Request")
def initiative_history(request, pk):
    initiative = _visible(request, pk)
    page = web.page_of(request, selectors.initiative_history(initiative))
    return _section(
        request, initiative, "history", "initiatives/section_history.html", {"page": page}
    )


@require_http_methods(["GET", "POST"])
def initiative_status(request, pk):
    initiative = _editable(request, pk)
    form = StatusForm(request.POST or None, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_change_status(
                actor=request.user, initiative=initiative, **form.cleaned_data
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{initiative.reference} is now {initiative.get_status_display().lower()}."
            )
            return redirect(initiative)
    return web.render_form(
        request, "initiatives/status_form.html", {"initiative": initiative}, form
    )


@require_http_methods(["GET", "POST"])
def initiative_publish(request, pk):
    """Confirm, then publish to or withdraw from the public register. Officers of the lead are
    told that a manager does this."""
    initiative = _editable(request, pk)
    can_publish = permissions.can_publish_initiative(request.user, initiative)
    if request.method == "POST":
        require(can_publish, services.MANAGERS_ONLY)
        services.initiative_publish(
            actor=request.user, initiative=initiative, publish=not initiative.is_published
        )
        if initiative.is_published:
            messages.success(
                request, f"{initiative.reference} was withdrawn from the public register."
            )
        else:
            messages.success(request, f"{initiative.reference} is now on the public register.")
        return redirect(initiative)
    return render(
        request,
        "initiatives/publish_confirm.html",
        {"initiative": initiative, "can_publish": can_publish},
    )


@require_GET
@login_not_required
@vary_on_headers("HX-Request")
def register_list(request):
    """The public register, filtered. Its filters, totals, count and results are kept in the
    cache as rendered, per address, while what they show stands (register_versions): the page
    and the totals are only read, and the form and table only rendered, when they are not."""
    filterset = filters.RegisterFilterSet(request.GET, queryset=selectors.published())
    return render(
        request,
        web.partial(request, "initiatives/register_list.html", "results"),
        {
            "filterset": filterset,
            "page": SimpleLazyObject(
                lambda: web.page_of(
                    request, progress_selectors.published_with_savings(filterset.qs)
                )
            ),
            "target": "#results",
            "totals": SimpleLazyObject(lambda: progress_selectors.register_totals(filterset.qs)),
            "cached_as": (progress_selectors.register_versions(), sorted(request.GET.lists())),
            "cached_for": progress_selectors.FIGURES_TIMEOUT,
        },
    )


@require_GET
@login_not_required
def register_download(request, fmt):
    """The register's filtered initiatives, anonymously: only what the register shows."""
    filterset = filters.RegisterFilterSet(request.GET, queryset=selectors.published_for_page())
    rows = filterset.qs.iterator(chunk_size=CHUNK)
    return exports.download(fmt, "register", columns.REGISTER, rows, title="Register")


@require_GET
def initiative_history_download(request, pk, fmt):
    initiative = _visible(request, pk)
    rows = selectors.initiative_history(initiative).iterator(chunk_size=CHUNK)
    return exports.download(fmt, f"history-{initiative.reference}", columns.HISTORY, rows)


@require_GET
@login_not_required
def register_detail(request, reference):
    initiative = get_object_or_404(selectors.published_for_page(), reference=reference)
    return render(
        request,
        "initiatives/register_detail.html",
        {
            "initiative": initiative,
            "years": progress_selectors.register_years(initiative),
            "documents": library_selectors.register_documents(initiative),
        },
    )
