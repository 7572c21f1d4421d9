"""allauth's second-factor step of signing in, skipped for a single sign-on whose provider has
just vouched for a second factor of its own (the organisation's configuration says it enforces
one, or the ID token's `amr` shows one): the issue's "not asked again"."""

from allauth.mfa.stages import AuthenticateStage

from partners.sso.adapter import MULTI_FACTOR_ATTRIBUTE


class SecondFactorStage(AuthenticateStage):
    def _should_handle(self, request):
        # Only the callback that checked the ID token, in this very request, sets it: nothing a
        # session carries over (a refused sign-on, say) can skip a password sign-in's code.
        if getattr(request, MULTI_FACTOR_ATTRIBUTE, False):
            return False
        return super()._should_handle(request)
