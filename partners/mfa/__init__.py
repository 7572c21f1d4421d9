"""Second factors (django-allauth's mfa): who must have one, and how their use is recorded."""
