"""The REST API's endpoints for initiatives, their partners, shares and targets, savings claims
and their evidence, progress figures and the public register. Each reads through the same
permission querysets and writes through the same services as the pages."""
