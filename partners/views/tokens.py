"""API tokens at /accounts/tokens/: each person's own (admins see and revoke everyone's), a new
one made after a recent second factor, its secret shown once in the answer to the POST."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from collaborate.kit import web
from partners import permissions, selectors
from partners.forms import ApiTokenForm
from partners.mfa import recency
from partners.models.tokens import DEFAULT_LIFETIME
from partners.services import tokens as services


@require_http_methods(["GET", "HEAD"])
def token_list(request):
    return render(
        request,
        "partners/tokens/list.html",
        {
            "tokens": selectors.api_tokens(user=request.user),
            "is_admin": permissions.is_admin(request.user),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def token_create(request):
    here = reverse("accounts:token_create")
    if not recency.recently_verified(request):
        return redirect(recency.reauthentication_url(request, here))
    form = ApiTokenForm(
        request.POST or None,
        initial={"expires_on": timezone.localdate() + DEFAULT_LIFETIME},
    )
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                actor=request.user, ip_address=web.client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The secret is in this answer only: not in the session, a URL or a cache.
            response = render(
                request, "partners/tokens/created.html", {"token": token, "secret": secret}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "partners/tokens/new.html", {"form": form})


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(selectors.api_tokens(user=request.user), pk=pk)
    services.token_revoke(actor=request.user, token=token, ip_address=web.client_ip(request))
    messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
    return redirect("accounts:tokens")
