"""Signing in, in two steps: the email address first, which sends a person whose organisation
signs them in to its identity provider (partners.sso); everyone else then gives a password.
The password step is django-allauth's, so a second factor follows where the person has one."""

from allauth.account.views import LoginView
from django.shortcuts import render

from partners import sso
from partners.forms import EmailStepForm, SignInForm

TEMPLATE = "account/login.html"


class SignInView(LoginView):
    form_class = SignInForm
    template_name = TEMPLATE

    def get(self, request, *args, **kwargs):
        return self._email_step(EmailStepForm())

    def post(self, request, *args, **kwargs):
        """A password is never checked for an address whose organisation signs its people in:
        a hand-made POST of one goes to the identity provider like the email step, so turning
        someone off there stops them here too, whatever password they may still have."""
        form = EmailStepForm(request.POST)
        if not form.is_valid():
            if "password" in request.POST:
                return super().post(request, *args, **kwargs)
            return self._email_step(form, status=400)
        email = form.cleaned_data["login"].lower()
        provider = sso.provider_for_email(email)
        if provider is not None:
            return sso.sign_in_start(
                request, provider, email=email, next_url=self.get_success_url()
            )
        if "password" in request.POST:
            return super().post(request, *args, **kwargs)
        return self.render_to_response(
            self.get_context_data(form=SignInForm(initial={"login": email}, request=request))
        )

    def form_invalid(self, form):
        if form.has_error("login"):
            # Only a hand-made request loses the hidden address: start again.
            return self._email_step(EmailStepForm(), status=400)
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["step"] = "password"
        context["email"] = context["form"]["login"].value()
        return context

    def _email_step(self, form, status=200):
        context = {"form": form, "step": "email", "redirect_field_value": self.get_next_url()}
        return render(self.request, TEMPLATE, context, status=status)
