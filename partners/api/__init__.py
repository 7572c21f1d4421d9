"""The REST API's endpoints for organisations, and how a request proves who it is (API tokens,
partners.models.ApiToken). collaborate.kit.api says what every endpoint does the same way."""
