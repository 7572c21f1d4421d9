"""The columns of every spreadsheet of organisations, people and audit events: each heading
declared once with how to read its cell from a row, for the downloads and for the import,
which reads the same headings."""

import json

from collaborate.kit.exports import MINUTE, SECOND, Column

ORGANISATIONS = [
    Column("Name", lambda o: o.name),
    Column("Short name", lambda o: o.short_name),
    Column("Sector", lambda o: o.get_sector_display()),
    Column("Kind", lambda o: o.get_kind_display()),
    Column("GSS code", lambda o: o.gss_code),
    Column("Nation", lambda o: o.get_nation_display()),
    Column("Region", lambda o: o.get_region_display()),
    Column("Website", lambda o: o.website),
    Column("Active", lambda o: o.active),
]


def person_status(person):
    """Active, Invited (not yet accepted) or Deactivated."""
    if not person.is_active:
        return "Deactivated"
    invitation = getattr(person, "invitation", None)
    return "Invited" if invitation and not invitation.accepted else "Active"


def _memberships(person):
    return "; ".join(
        f"{m.organisation.name}: {m.get_role_display().lower()}" for m in person.visible_memberships
    )


# Rows: users with visible_memberships (the users list's filterset).
USERS = [
    Column("Name", lambda p: p.full_name),
    Column("Email address", lambda p: p.email),
    Column("Organisations and roles", _memberships),
    Column("Administrator", lambda p: p.is_staff),
    Column("Status", person_status),
    Column("Last signed in", lambda p: p.last_login, MINUTE),
]

AUDIT_EVENTS = [
    Column("When", lambda e: e.at, SECOND),
    Column("Action", lambda e: e.get_action_display()),
    Column("Action code", lambda e: e.action),
    Column("Who (email)", lambda e: e.actor_email),
    Column("Who (user id)", lambda e: e.actor_id),
    Column("IP address", lambda e: e.ip_address),
    Column("Organisation", lambda e: e.organisation_name),
    Column("Organisation id", lambda e: e.organisation_id),
    Column("Detail", lambda e: json.dumps(e.detail, sort_keys=True, ensure_ascii=False)),
]
