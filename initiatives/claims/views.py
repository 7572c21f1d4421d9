"""Pages for savings claims: an initiative's claims, a claim and its decisions, every claim a
user may see (and its CSV), a manager's review queue, evidence downloads and locked financial
years."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import edits, exports, uploads, web
from initiatives import columns, financial_years, permissions, selectors
from initiatives.claims import filters, services
from initiatives.claims import selectors as claim_selectors
from initiatives.claims.forms import (
    AdjustmentForm,
    ClaimForm,
    DecisionForm,
    EvidenceForm,
    VerifySelectedForm,
    YearLockForm,
)
from initiatives.models import ClaimEvidence
from initiatives.views import section_context
from partners import permissions as partner_permissions
from partners.permissions import require
from partners.services import audit


def _visible_initiative(request, pk):
    """The initiative if this user may see it; a 404 that reveals nothing otherwise."""
    return get_object_or_404(selectors.initiatives_for_page(user=request.user), pk=pk)


def _visible_claim(request, pk):
    """The claim if this user may see it (another partner's draft is not); a 404 otherwise."""
    return get_object_or_404(claim_selectors.claims_for_page(user=request.user), pk=pk)


EDIT_REFUSAL = "Only a draft or returned claim can be changed, by its claimant."


def _claim_for(request, pk, rule, refusal):
    """The claim if this user may see it (404 otherwise) and `rule` lets them act on it (403,
    saying `refusal`, otherwise)."""
    claim = _visible_claim(request, pk)
    require(rule(request.user, claim), refusal)
    return claim


@require_GET
@vary_on_headers("HX-Request")
def initiative_claims(request, pk):
    """The initiative's claims section: totals by year and status, then the claims."""
    initiative = _visible_initiative(request, pk)
    acting = partner_permissions.acting_membership(request)
    page = web.page_of(request, claim_selectors.claims_of_initiative(initiative, user=request.user))
    return render(
        request,
        web.partial(request, "claims/section_claims.html", "initiative-sections"),
        {
            **section_context(request, initiative, "claims"),
            "totals": claim_selectors.claim_totals(initiative, user=request.user),
            "page": page,
            "can_claim": acting is not None
            and permissions.can_claim_for(request.user, initiative, acting.organisation),
        },
    )


@require_http_methods(["GET", "POST"])
@uploads.accepts(uploads.EVIDENCE)
def claim_create(request, pk):
    initiative = _visible_initiative(request, pk)
    acting = partner_permissions.acting_membership(request)
    claimant = acting.organisation if acting else None
    require(
        permissions.can_claim_for(request.user, initiative, claimant),
        "Claims are made by officers of a partner organisation, for it.",
    )
    form = ClaimForm(
        request.POST or None,
        request.FILES or None,
        initiative=initiative,
        locked=claim_selectors.locked_years(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_create(
                actor=request.user,
                initiative=initiative,
                claimant=claimant,
                creation_token=form.cleaned_data["creation_token"],
                evidence_files=form.cleaned_data["evidence"],
                **form.claim_fields(),
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"Claim {claim.reference} was saved as a draft. Submit it when it is ready.",
            )
            return redirect(claim)
    return web.render_form(
        request, "claims/claim_form.html", {"initiative": initiative, "claimant": claimant}, form
    )


def _detail_context(request, claim, decision_form=None):
    user = request.user
    page = web.page_of(request, claim_selectors.claim_history(claim))
    return {
        "claim": claim,
        "initiative": claim.initiative,
        "evidence": list(claim.evidence_files.all()),
        "attributions": claim_selectors.claim_attributions(claim),
        "adjustments": claim_selectors.adjustments_of(claim, user=user),
        "page": page,
        "can_edit": permissions.can_edit_claim(user, claim),
        "can_submit": permissions.can_submit_claim(user, claim),
        "can_withdraw": permissions.can_withdraw_claim(user, claim),
        "can_decide": permissions.can_decide_claim(user, claim),
        "can_correct": permissions.can_correct_claim(user, claim),
        "decided_by_another": permissions.must_leave_decision_to_another(user, claim),
        "decision_form": decision_form or DecisionForm(),
        "year_locked": claim.financial_year in claim_selectors.locked_years(),
    }


@require_GET
def claim_detail(request, pk):
    claim = _visible_claim(request, pk)
    return render(request, "claims/claim_detail.html", _detail_context(request, claim))


@require_http_methods(["GET", "POST"])
@uploads.accepts(uploads.EVIDENCE)
def claim_edit(request, pk):
    claim = _claim_for(request, pk, permissions.can_edit_claim, EDIT_REFUSAL)
    form = ClaimForm(
        request.POST or None,
        request.FILES or None,
        instance=claim,
        initiative=claim.initiative,
        locked=claim_selectors.locked_years(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(
                actor=request.user,
                claim=claim,
                expected_version=form.cleaned_data["version"],
                evidence_files=form.cleaned_data["evidence"],
                **form.claim_fields(),
            )
        except edits.EditConflict as conflict:
            current = _visible_claim(request, pk)
            stored = ClaimForm.showing_conflict(
                current,
                conflict,
                initiative=current.initiative,
                locked=claim_selectors.locked_years(),
            )
            return web.render_conflict(
                request,
                "claims/claim_form.html",
                {"initiative": current.initiative, "claim": current, "claimant": current.claimant},
                stored,
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(request, f"Claim {claim.reference} was saved.")
            return redirect(claim)
    return web.render_form(
        request,
        "claims/claim_form.html",
        {"initiative": claim.initiative, "claim": claim, "claimant": claim.claimant},
        form,
    )


def _act(request, pk, action, done):
    claim = _visible_claim(request, pk)
    web.perform(request, action, done.format(claim=claim), claim=claim)
    return redirect(claim)


@require_POST
def claim_submit(request, pk):
    return _act(
        request,
        pk,
        services.claim_submit,
        "Claim {claim.reference} was submitted. The lead organisation's managers have been told.",
    )


@require_POST
def claim_withdraw(request, pk):
    return _act(
        request, pk, services.claim_withdraw, "Claim {claim.reference} was withdrawn to draft."
    )


@require_POST
@vary_on_headers("HX-Request")
def claim_decide(request, pk):
    """Verify, return or reject. From the review queue through htmx the row answers in place;
    otherwise the decision redirects like any form."""
    claim = _visible_claim(request, pk)
    form = DecisionForm(request.POST)
    from_queue = request.POST.get("from") == "review"
    outcome = None
    if form.is_valid():
        try:
            outcome = services.claim_decide(actor=request.user, claim=claim, **form.cleaned_data)
        except ValidationError as error:
            web.apply_validation_error(form, error)
    if outcome is not None:
        message = f"Claim {claim.reference}: {outcome.get_status_display().lower()}."
        if web.is_fragment_request(request):
            return render(
                request,
                "claims/includes/claim_row.html",
                {"claim": outcome, "decided": message, "for_review": True},
            )
        messages.success(request, message)
        return redirect("claims:review" if from_queue else outcome.get_absolute_url())
    if web.is_fragment_request(request):
        current = _visible_claim(request, pk)
        return render(
            request,
            "claims/includes/claim_row.html",
            {"claim": current, "row_form": form, "for_review": True},
            status=422,
        )
    if from_queue:
        messages.error(
            request,
            f"Claim {claim.reference}: "
            + " ".join(e for errors in form.errors.values() for e in errors),
        )
        return redirect("claims:review")
    return render(
        request,
        "claims/claim_detail.html",
        _detail_context(
            request,
            _visible_claim(request, pk),
            form,
        ),
        status=422,
    )


@require_http_methods(["GET", "POST"])
@uploads.accepts(uploads.EVIDENCE)
def claim_correct(request, pk):
    """Draft an adjustment to a verified claim."""
    corrected = _claim_for(
        request,
        pk,
        permissions.can_correct_claim,
        "Only the claimant's officers can correct a verified claim.",
    )
    form = AdjustmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_correct(
                actor=request.user,
                corrected=corrected,
                evidence_files=form.cleaned_data.pop("evidence"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"Adjustment {claim.reference} was saved as a draft. Submit it when it is ready.",
            )
            return redirect(claim)
    return web.render_form(
        request,
        "claims/adjustment_form.html",
        {"corrected": corrected, "total": claim_selectors.corrected_total(corrected)},
        form,
    )


@require_http_methods(["GET", "POST"])
@uploads.accepts(uploads.EVIDENCE)
def evidence_add(request, pk):
    claim = _claim_for(request, pk, permissions.can_edit_claim, EDIT_REFUSAL)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(
                actor=request.user, claim=claim, evidence_files=form.cleaned_data["evidence"]
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(request, "The evidence was added.")
            return redirect(claim)
    return web.render_form(request, "claims/evidence_form.html", {"claim": claim}, form)


@require_GET
def evidence_download(request, pk, evidence_pk):
    """Evidence is served only to those who may see its claim, as an attachment."""
    claim = _visible_claim(request, pk)
    item = get_object_or_404(ClaimEvidence, pk=evidence_pk, claim=claim)
    file = services.evidence_download(
        actor=request.user, item=item, ip_address=web.client_ip(request)
    )
    return web.attachment(file, item.original_name, item.content_type)


@require_POST
def evidence_remove(request, pk, evidence_pk):
    claim = _visible_claim(request, pk)
    item = get_object_or_404(ClaimEvidence, pk=evidence_pk, claim=claim)
    services.evidence_remove(actor=request.user, item=item)
    messages.success(request, f"{item.original_name} was removed.")
    return redirect(claim)


def _claim_filters(request):
    return filters.ClaimFilterSet(
        request.GET, queryset=claim_selectors.claims_for_page(user=request.user), request=request
    )


@require_GET
@vary_on_headers("HX-Request")
def claim_list(request):
    """Every claim the user may see, searched and filtered; first their own open claims."""
    filterset = _claim_filters(request)
    page = web.page_of(request, filterset.qs)
    return render(
        request,
        web.partial(request, "claims/claim_list.html", "results"),
        {"filterset": filterset, "page": page},
    )


@require_GET
def claim_download(request, fmt):
    """The list's filtered claims, all of them (not one page), as CSV or XLSX. It names who
    submitted and who decided each claim, so the download is recorded in the audit log."""
    claims = _claim_filters(request).qs
    audit.export_record(
        actor=request.user,
        export=f"claims.{fmt}",
        query=request.GET,
        ip_address=web.client_ip(request),
    )
    rows = claims.iterator(chunk_size=1000)
    return exports.download(fmt, "claims", columns.CLAIMS, rows)


VERIFIED_KEY = "claims_verified"  # the session's note of the last "verify selected", shown once


@require_GET
@vary_on_headers("HX-Request")
def review_queue(request):
    fragment = web.is_fragment_request(request)
    return _render_queue(
        request, verified=None if fragment else request.session.pop(VERIFIED_KEY, None)
    )


def _render_queue(request, *, verify_form=None, verified=None, status=None):
    filterset = _review_filterset(request)
    page = web.page_of(request, filterset.qs)
    return render(
        request,
        web.partial(request, "claims/review_queue.html", "results"),
        {"filterset": filterset, "page": page, "verify_form": verify_form, "verified": verified},
        status=status,
    )


def _why_not_verifiable(user, claim):
    """Why a selected claim the user may see cannot be verified by them (in the words of
    services.claim_decide's refusals)."""
    if claim.status != claim.Status.SUBMITTED:
        who = f" by {claim.reviewed_by}" if claim.reviewed_by else ""
        status = claim.get_status_display().lower()
        return f"It is no longer awaiting a decision: it is now {status}{who}."
    if permissions.took_part_in_claim(user, claim):
        return "You created, edited or submitted this claim, so someone else must decide it."
    return "Only a manager of the lead organisation can decide this claim."


@require_POST
def review_verify(request):
    """The review queue's "verify selected": the ticked claims are listed with their total for
    one confirmation, then verified one by one (services.claims_verify); the queue then says
    how many were verified and which could not be, and why. Claims the user may not see are
    left out unmentioned, as if they did not exist."""
    require(
        permissions.can_review_claims(request.user),
        "The review queue is for managers of a lead organisation.",
    )
    form = VerifySelectedForm(request.POST)
    if not form.is_valid():
        return _render_queue(request, verify_form=form, status=422)
    visible = claim_selectors.claims_for_page(user=request.user).filter(
        pk__in=form.cleaned_data["claims"]
    )
    if form.cleaned_data["confirm"]:
        outcome = services.claims_verify(
            actor=request.user, claims=visible.order_by("submitted_at", "pk")
        )
        request.session[VERIFIED_KEY] = {
            "count": len(outcome.verified),
            "refused": [
                {"reference": c.reference, "url": c.get_absolute_url(), "reason": reason}
                for c, reason in outcome.refused
            ],
        }
        return redirect("claims:review")
    selected = list(
        visible.annotate(
            awaits_you=Exists(
                permissions.claims_to_review_by(user=request.user).filter(pk=OuterRef("pk"))
            )
        ).order_by("submitted_at", "pk")
    )
    verifiable = [claim for claim in selected if claim.awaits_you]
    left_out = [
        (claim, _why_not_verifiable(request.user, claim))
        for claim in selected
        if not claim.awaits_you
    ]
    return render(
        request,
        "claims/review_verify.html",
        {
            "claims": verifiable,
            "left_out": left_out,
            "total": sum(claim.net_amount for claim in verifiable),
        },
        status=200 if verifiable else 409,
    )


def _review_filterset(request):
    require(
        permissions.can_review_claims(request.user),
        "The review queue is for managers of a lead organisation.",
    )
    return filters.ReviewFilterSet(request.GET, queryset=claim_selectors.review_queue(request.user))


@require_GET
def review_download(request, fmt):
    """The review queue under its filters, every claim waiting, as CSV or XLSX."""
    rows = _review_filterset(request).qs.iterator(chunk_size=1000)
    return exports.download(fmt, "claims-to-review", columns.REVIEW, rows, title="To review")


def _lock_years():
    """The financial years an admin may lock or unlock: next year and eleven back."""
    this_year = financial_years.current_financial_year()
    return range(this_year + 1, this_year - 12, -1)


@require_GET
def financial_year_locks(request):
    """Admins see each financial year's lock (who, when, why) and its history of locks and
    unlocks, and lock or unlock it through a confirmation page."""
    require(partner_permissions.can_lock_financial_years(request.user))
    years = _lock_years()
    locks = claim_selectors.locks()
    history = claim_selectors.lock_history(years)
    rows = [
        {
            "year": year,
            "label": financial_years.label(year),
            "lock": locks.get(year),
            "history": history.get(year, []),
        }
        for year in years
    ]
    return render(request, "claims/financial_years.html", {"rows": rows})


def _year_lock_change(request, year, *, locking):
    require(partner_permissions.can_lock_financial_years(request.user))
    if year not in _lock_years():
        raise Http404("Only the financial years listed can be locked or unlocked.")
    label = financial_years.label(year)
    lock = claim_selectors.locks().get(year)
    refusal = None
    if locking and lock is not None:
        refusal = f"{label} is already locked."
    elif not locking and lock is None:
        refusal = f"{label} is not locked."
    form = YearLockForm(request.POST or None, year=year, locking=locking)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.financial_year_set_locked(
                actor=request.user,
                year=year,
                locked=locking,
                reason=form.cleaned_data["reason"],
                ip_address=web.client_ip(request),
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            messages.success(request, f"{label} is {'locked' if locking else 'unlocked'}.")
            return redirect("financial_years")
    return web.render_form(
        request,
        "claims/financial_year_change.html",
        {
            "year": year,
            "label": label,
            "locking": locking,
            "lock": lock,
            "refusal": refusal,
            "awaiting": claim_selectors.awaiting_decision_in(year, user=request.user)
            if locking
            else 0,
        },
        form,
        status=409 if refusal and request.method == "POST" else None,
    )


@require_http_methods(["GET", "POST"])
def financial_year_lock(request, year):
    """Confirm, with a reason, that a financial year's figures are signed off and lock it."""
    return _year_lock_change(request, year, locking=True)


@require_http_methods(["GET", "POST"])
def financial_year_unlock(request, year):
    """Confirm, with a reason, and unlock a financial year."""
    return _year_lock_change(request, year, locking=False)
