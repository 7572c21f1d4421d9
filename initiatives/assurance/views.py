"""Audit sampling pages (/assurance/): auditors draw samples of verified claims, check a draw,
record what they found for each selected claim and download it; admins read every sample."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import exports, web
from initiatives import financial_years, permissions
from initiatives.assurance import sampling, selectors, services
from initiatives.assurance.forms import ChooseForm, DrawForm, OutcomeForm
from initiatives.models import AuditFrameRow, AuditSample
from partners import permissions as partner_permissions
from partners.permissions import require


def _require_assurance(request):
    require(
        permissions.can_view_assurance(request.user),
        "Audit samples are for auditors and administrators.",
    )


def _sample_or_404(request, pk):
    _require_assurance(request)
    try:
        return selectors.sample_for_page(user=request.user, pk=pk)
    except AuditSample.DoesNotExist:
        raise Http404("No such sample.") from None


def _scope_arguments(request):
    user = request.user
    return {
        "organisations": partner_permissions.organisations_audited_by(user=user),
        "every_organisation": partner_permissions.audits_every_organisation(user),
    }


@require_GET
@vary_on_headers("HX-Request")
def sample_list(request):
    """The samples the user may see, newest first."""
    _require_assurance(request)
    page = web.page_of(request, selectors.samples_for_list(user=request.user))
    return render(
        request,
        web.partial(request, "assurance/sample_list.html", "samples"),
        {
            "page": page,
            "target": "#samples",
            "can_draw": partner_permissions.is_auditor(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def sample_new(request):
    """Choose an organisation and a year (a GET form, which shows the frame it would draw
    from), then draw (a POST form carrying the choice)."""
    _require_assurance(request)
    require(partner_permissions.is_auditor(request.user), "Only auditors draw samples.")
    scope = _scope_arguments(request)
    if request.method == "POST":
        form = DrawForm(request.POST, **scope)
        choose = ChooseForm(request.POST, **scope)
        if form.is_valid():
            try:
                sample = services.audit_sample_draw(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    year=form.cleaned_data["financial_year"],
                    sample_size=form.cleaned_data["sample_size"],
                    stratum_size=form.cleaned_data["stratum_size"],
                )
            except ValidationError as error:
                web.apply_validation_error(form, error)
            else:
                messages.success(request, f"Sample {sample.reference} was drawn.")
                return redirect("assurance:detail", sample.pk)
        frame = _frame(choose) if choose.is_valid() else None
        return web.render_form(
            request, "assurance/sample_new.html", {"choose": choose, "frame": frame}, form
        )
    choose = ChooseForm(request.GET if "financial_year" in request.GET else None, **scope)
    frame = form = None
    if choose.is_bound and choose.is_valid():
        frame = _frame(choose)
        form = DrawForm(initial=choose.cleaned_data, **scope)
    status = 422 if choose.errors else 200
    return render(
        request,
        "assurance/sample_new.html",
        {"choose": choose, "frame": frame, "form": form},
        status=status,
    )


def _frame(choose):
    return selectors.frame_figures(
        selectors.frame_claims(
            organisation=choose.cleaned_data["organisation"],
            year=choose.cleaned_data["financial_year"],
        )
    )


@require_GET
def sample_detail(request, pk):
    sample = _sample_or_404(request, pk)
    rows = selectors.selected_rows(sample)
    return render(
        request,
        "assurance/sample_detail.html",
        {
            "sample": sample,
            "rows": [(row, sampling.risk_labels(row.risk_factors)) for row in rows],
            "summary": selectors.sample_summary(sample, rows),
            "can_record": permissions.can_record_audit_outcome(request.user, sample),
            "weights": [
                (label, sample.risk_weights.get(code, "1"))
                for code, (label, _) in sampling.RISK_FACTORS.items()
            ],
        },
    )


@require_GET
def sample_check(request, pk):
    """Draw the sample again from its stored frame and say whether it selects the same claims."""
    sample = _sample_or_404(request, pk)
    same, again, stored = selectors.sample_check(sample)
    return render(
        request,
        "assurance/sample_check.html",
        {"sample": sample, "same": same, "again": len(again), "stored": len(stored)},
    )


@require_http_methods(["GET", "POST"])
def outcome_record(request, pk, row):
    sample = _sample_or_404(request, pk)
    try:
        row = selectors.sample_row(sample, row)
    except AuditFrameRow.DoesNotExist:
        raise Http404("No such claim in this sample.") from None
    require(
        permissions.can_record_audit_outcome(request.user, sample),
        "Only an auditor of this organisation can record what the audit found.",
    )
    form = OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.audit_outcome_record(
                actor=request.user,
                row=row,
                result=form.cleaned_data["result"],
                audited_amount=form.cleaned_data["audited_amount"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            done = f"{row.claim.reference}: {outcome.get_result_display().lower()}."
            if outcome.correction_id:
                done += f" Correction {outcome.correction.reference} awaits the lead's decision."
            messages.success(request, done)
            return redirect(reverse("assurance:detail", args=[sample.pk]) + f"#row-{row.pk}")
    return web.render_form(
        request,
        "assurance/outcome_form.html",
        {
            "sample": sample,
            "row": row,
            "risks": sampling.risk_labels(row.risk_factors),
            "already": getattr(row, "outcome", None),
        },
        form,
    )


HEADER = [
    "Sample",
    "Financial year",
    "Position",
    "Claim",
    "Initiative",
    "Claimant",
    "Net amount at draw",
    "Weight",
    "Risk factors",
    "Selected by",
    "Outcome",
    "Audited amount",
    "Note",
    "Correction",
    "Correction status",
    "Recorded by",
    "Recorded at",
]


@require_GET
def sample_download(request, pk):
    """The sample's selected claims and their outcomes as CSV."""
    sample = _sample_or_404(request, pk)
    rows = selectors.selected_rows(sample)

    def lines():
        for row in rows:
            outcome = getattr(row, "outcome", None)
            correction = outcome.correction if outcome else None
            yield [
                sample.reference,
                financial_years.label(sample.financial_year),
                row.position,
                row.claim.reference,
                row.claim.initiative.reference,
                row.claim.claimant.name,
                row.amount,
                row.weight,
                "; ".join(sampling.risk_labels(row.risk_factors)),
                row.get_selection_display(),
                outcome.get_result_display() if outcome else "",
                outcome.audited_amount if outcome else None,
                outcome.note if outcome else "",
                correction.reference if correction else "",
                correction.get_status_display() if correction else "",
                str(outcome.recorded_by) if outcome else "",
                outcome.recorded_at.strftime("%Y-%m-%d %H:%M") if outcome else "",
            ]

    return exports.csv_response(f"{sample.reference}.csv", HEADER, lines())
