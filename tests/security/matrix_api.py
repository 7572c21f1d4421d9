"""The permission matrix's rows for the REST API (/api/v1/, the schema, the documentation),
gathered from one module per part of it so that each part's rows sit beside its kind."""

from tests.security.matrix import OK, PUBLIC, UNAUTHORIZED
from tests.security.matrix_api_claims import ROWS as CLAIMS
from tests.security.matrix_api_initiatives import ROWS as INITIATIVES
from tests.security.matrix_api_partners import ROWS as PARTNERS
from tests.security.matrix_api_progress import ROWS as PROGRESS

# Any signed-in person, through the API.
API_SIGNED_IN = (UNAUTHORIZED, OK, OK, OK, OK, OK)

ROWS = {
    "api_schema": PUBLIC,
    "api_docs": PUBLIC,
    **PARTNERS,
    **INITIATIVES,
    **CLAIMS,
    **PROGRESS,
}

# Every API answer is JSON (the documentation page aside); the token pages are pages.
NOT_HTML = {name for name in (key.split(" (", 1)[0] for key in ROWS) if name.startswith("api:")} | {
    "api_schema"
}
