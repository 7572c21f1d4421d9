"""Pages of the practice library: the searchable list (open to everyone, showing what each
person may see), downloads, and an initiative's Documents section with its upload form and
the confirmation that removes a document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import uploads, web
from initiatives import permissions
from initiatives import selectors as initiative_selectors
from initiatives.library import selectors, services
from initiatives.library.filters import DocumentFilterSet
from initiatives.library.forms import DocumentForm
from initiatives.views import section_context
from partners import permissions as partner_permissions
from partners.permissions import require

SECTION = "library/section_documents.html"


@require_GET
@login_not_required
@vary_on_headers("HX-Request")
def document_list(request):
    filterset = DocumentFilterSet(
        request.GET, queryset=selectors.documents_for_page(user=request.user)
    )
    return render(
        request,
        web.partial(request, "library/document_list.html", "results"),
        {"filterset": filterset, "page": web.page_of(request, filterset.qs), "target": "#results"},
    )


@require_GET
@login_not_required
def document_download(request, pk):
    """A document's file, to whoever may see the document (a 404 to anyone else)."""
    document = get_object_or_404(selectors.documents_for_page(user=request.user), pk=pk)
    try:
        file = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return web.attachment(file, document.original_name, document.content_type)


def _acting_for(request):
    membership = partner_permissions.acting_membership(request)
    return membership.organisation_id if membership else None


def _visible_initiative(request, pk):
    return get_object_or_404(initiative_selectors.initiatives_for_page(user=request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@uploads.accepts(uploads.EVIDENCE)
def initiative_documents(request, pk):
    initiative = _visible_initiative(request, pk)
    acting_for = _acting_for(request)
    can_manage = permissions.can_manage_documents(request.user, initiative, acting_for)
    form = DocumentForm() if can_manage else None
    if request.method == "POST":
        require(can_manage, services.REFUSED)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.document_add(
                    actor=request.user,
                    initiative=initiative,
                    acting_for=acting_for,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                web.apply_validation_error(form, error)
            else:
                messages.success(request, f"“{document.title}” was added to the library.")
                return redirect("initiatives:documents", initiative.pk)
    return render(
        request,
        web.partial(request, SECTION, "initiative-sections"),
        {
            **section_context(request, initiative, "documents"),
            "documents": selectors.initiative_documents(user=request.user, initiative=initiative),
            "form": form,
            "can_manage_documents": can_manage,
        },
        status=422 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def document_remove(request, pk, document_pk):
    initiative = _visible_initiative(request, pk)
    document = get_object_or_404(
        selectors.initiative_documents(user=request.user, initiative=initiative), pk=document_pk
    )
    acting_for = _acting_for(request)
    require(
        permissions.can_manage_documents(request.user, initiative, acting_for), services.REFUSED
    )
    if request.method == "POST":
        web.perform(
            request,
            services.document_remove,
            f"“{document.title}” was removed from the library.",
            document=document,
            acting_for=acting_for,
        )
        return redirect("initiatives:documents", initiative.pk)
    return render(
        request, "library/document_remove.html", {"initiative": initiative, "document": document}
    )
