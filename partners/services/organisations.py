"""Every write to organisations and memberships: permission checked, one transaction, history
recorded."""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from collaborate.kit import cache as kit_cache
from collaborate.kit import edits
from partners import history, permissions, selectors
from partners.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    OrganisationName,
    OrganisationSignOn,
    Place,
    SignOnDomain,
    normalise_name,
)
from partners.services import audit
from partners.signals import organisation_merged

ORGANISATION_FIELDS = [
    "name",
    "short_name",
    "sector",
    "kind",
    "gss_code",
    "nation",
    "region",
    "website",
]
TRACKED_FIELDS = [*ORGANISATION_FIELDS, "active"]


def organisation_slug(name, *, exclude_pk=None):
    """A slug from the name, made unique with a number when another organisation has it."""
    base = slugify(name)[:200] or "organisation"
    taken = set(
        Organisation.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def directory_changed():
    """Once the caller's transaction commits, what pages cached about organisations is stale
    (selectors.directory_version)."""
    transaction.on_commit(partial(kit_cache.version_bump, selectors.DIRECTORY_VERSION_KEY))


@transaction.atomic
def organisation_create(*, actor, **fields):
    permissions.require(permissions.can_manage_organisations(actor))
    organisation = Organisation(**{name: fields.get(name, "") for name in ORGANISATION_FIELDS})
    organisation.slug = organisation_slug(organisation.name)
    organisation.full_clean()
    organisation.save()
    directory_changed()
    history.history_record_created(actor=actor, owner=organisation, fields=TRACKED_FIELDS)
    return organisation


def _locked(organisation, expected_version=None):
    """The organisation's row, locked for this transaction; refuses an edit made on an older
    version than the one stored (someone else saved meanwhile)."""
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    edits.require_version(current, expected_version, "organisation")
    return current


@transaction.atomic
def organisation_update(*, actor, organisation, expected_version=None, **fields):
    permissions.require(permissions.can_manage_organisations(actor))
    current = _locked(organisation, expected_version)
    before = history.snapshot(current, TRACKED_FIELDS)
    for name in ORGANISATION_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    if current.name != organisation.name or "name" in fields:
        current.slug = organisation_slug(current.name, exclude_pk=current.pk)
    current.full_clean()
    changes = history.changes_between(before, history.snapshot(current, TRACKED_FIELDS))
    if changes:
        current.version += 1
        current.save()
        directory_changed()
        history.history_record(actor=actor, owner=current, action="Updated", changes=changes)
    return current


@transaction.atomic
def organisation_set_active(*, actor, organisation, active):
    """Deactivate (never delete) or reactivate an organisation."""
    permissions.require(permissions.can_manage_organisations(actor))
    current = _locked(organisation)
    if current.merged_into_id and active:
        raise ValidationError(
            "This organisation was merged into another and cannot be reactivated.", code="merged"
        )
    if current.active == active:
        return current
    before = history.snapshot(current, TRACKED_FIELDS)
    current.active = active
    current.version += 1
    current.save(update_fields=["active", "version", "updated_at"])
    directory_changed()
    history.history_record(
        actor=actor,
        owner=current,
        action="Reactivated" if active else "Deactivated",
        changes=history.changes_between(before, history.snapshot(current, TRACKED_FIELDS)),
    )
    return current


def _merge_memberships(*, actor, duplicate, survivor):
    """Members of the duplicate become members of the survivor; someone in both keeps the
    higher role. Each member's own history records it. Returns one line per member."""
    moves = []
    kept = {
        m.user_id: m for m in Membership.objects.select_for_update().filter(organisation=survivor)
    }
    duplicate_members = (
        Membership.objects.select_for_update().filter(organisation=duplicate).select_related("user")
    )
    for membership in duplicate_members:
        existing = kept.get(membership.user_id)
        if existing is None:
            membership.organisation = survivor
            membership.save(update_fields=["organisation"])
            role = membership.get_role_display()
            moves.append((membership.user, role, role))
            continue
        before = existing.get_role_display()
        if membership.is_manager and not existing.is_manager:
            existing.role = Membership.Role.MANAGER
            existing.save(update_fields=["role"])
        membership.delete()
        moves.append((membership.user, before, existing.get_role_display()))
    for user, before, after in moves:
        history.history_record(
            actor=actor,
            owner=user,
            action="Membership moved in a merge",
            subject=f"{duplicate.name} → {survivor.name}",
            changes=[
                {"field": "Organisation", "before": duplicate.name, "after": survivor.name},
                {"field": "Role", "before": before, "after": after},
            ],
        )
    return [f"{user}: {after.lower()} of {survivor.name}" for user, _, after in moves]


def _merge_invitations(*, actor, duplicate, survivor):
    """Invitations into the duplicate, open or accepted, now name the survivor; each invited
    person's history records it."""
    invitations = Invitation.objects.select_for_update().filter(organisation=duplicate)
    for invitation in invitations.select_related("user"):
        invitation.organisation = survivor
        invitation.save(update_fields=["organisation"])
        history.history_record(
            actor=actor,
            owner=invitation.user,
            action="Invitation moved in a merge",
            subject=f"{duplicate.name} → {survivor.name}",
            changes=[{"field": "Organisation", "before": duplicate.name, "after": survivor.name}],
        )


def _merge_sign_on(*, duplicate, survivor):
    """The duplicate's single sign-on becomes the survivor's if it has none. If it has one on
    the same identity provider, the duplicate's domains join it; on another provider, the
    survivor's stays as it is (an admin chose it) and the duplicate's goes."""
    sign_on = OrganisationSignOn.objects.select_for_update().filter(organisation=duplicate).first()
    if sign_on is None:
        return
    kept = OrganisationSignOn.objects.select_for_update().filter(organisation=survivor).first()
    if kept is None:
        sign_on.organisation = survivor
        sign_on.save(update_fields=["organisation", "updated_at"])
        return
    if kept.identity_provider_id == sign_on.identity_provider_id:
        known = set(kept.domains.values_list("domain", flat=True))
        SignOnDomain.objects.bulk_create(
            SignOnDomain(sign_on=kept, domain=d.domain)
            for d in sign_on.domains.all()
            if d.domain not in known
        )
    sign_on.delete()


def _merge_links(*, duplicate, survivor):
    """Successor links and earlier merges move to the survivor (never a link to itself)."""
    links = Organisation.successors.through.objects
    for link in links.filter(from_organisation=duplicate):
        if link.to_organisation_id != survivor.pk:
            survivor.successors.add(link.to_organisation_id)
    for link in links.filter(to_organisation=duplicate):
        if link.from_organisation_id != survivor.pk:
            links.get_or_create(
                from_organisation_id=link.from_organisation_id, to_organisation=survivor
            )
    links.filter(
        models.Q(from_organisation=duplicate) | models.Q(to_organisation=duplicate)
    ).delete()
    Organisation.objects.filter(merged_into=duplicate).update(merged_into=survivor)


def _merge_names(*, duplicate, survivor):
    """The survivor becomes known by the duplicate's name and alternative names too (each once),
    so that imports and searches by any of them find it."""
    taken = {
        survivor.search_name,
        *survivor.alternative_names.values_list("search_name", flat=True),
    }
    names = [(duplicate.name, "merged record")]
    names += duplicate.alternative_names.values_list("name", "source")
    for name, source in names:
        if normalise_name(name) not in taken:
            taken.add(normalise_name(name))
            OrganisationName.objects.create(organisation=survivor, name=name, source=source)
    duplicate.alternative_names.all().delete()


def _merge_place(*, duplicate, survivor):
    """Councils in the duplicate's county or combined authority are in the survivor's; the
    duplicate's own place becomes the survivor's unless the survivor has one (a record loaded
    from the council register knows best where it is)."""
    Place.objects.filter(county=duplicate).update(county=survivor)
    Place.objects.filter(combined_authority=duplicate).update(combined_authority=survivor)
    own = Place.objects.filter(organisation=duplicate)
    if Place.objects.filter(organisation=survivor).exists():
        own.delete()
    else:
        own.update(organisation=survivor)


@transaction.atomic
def organisation_merge(*, actor, duplicate, survivor, ip_address=None):
    """Merge a duplicate record into the organisation it duplicates: everything that points at
    the duplicate moves to the survivor in this one transaction; the duplicate stays, inactive,
    pointing at the survivor. Other apps move what they own in answer to the signal."""
    permissions.require(permissions.can_manage_organisations(actor))
    locked = {
        o.pk: o
        for o in Organisation.objects.select_for_update().filter(pk__in=[duplicate.pk, survivor.pk])
    }
    duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
    if refusal := selectors.merge_refusal(duplicate, survivor):
        raise ValidationError(refusal, code="merge")
    moved = selectors.merge_impact(duplicate)
    member_lines = _merge_memberships(actor=actor, duplicate=duplicate, survivor=survivor)
    _merge_invitations(actor=actor, duplicate=duplicate, survivor=survivor)
    _merge_links(duplicate=duplicate, survivor=survivor)
    _merge_names(duplicate=duplicate, survivor=survivor)
    _merge_sign_on(duplicate=duplicate, survivor=survivor)
    _merge_place(duplicate=duplicate, survivor=survivor)
    duplicate.active = False
    duplicate.merged_into = survivor
    duplicate.version += 1
    duplicate.save(update_fields=["active", "merged_into", "version", "updated_at"])
    directory_changed()
    organisation_merged.send(
        sender=Organisation, duplicate=duplicate, survivor=survivor, actor=actor
    )
    if left := selectors.merge_impact(duplicate):
        # A relation that nothing moves would leave records behind: refuse the whole merge (the
        # transaction rolls back), saying which records, so the page can show why.
        kinds = ", ".join(f"{i.count} {i.label}" for i in left)
        raise ValidationError(
            f"The merge was not made: {kinds} would still point at {duplicate.name}. "
            "Nothing was changed; report this to the service team.",
            code="merge_left_records",
        )
    summary = [
        {"field": f"{i.count} {i.label}", "before": duplicate.name, "after": survivor.name}
        for i in moved
    ]
    reason = "\n".join(member_lines)
    # Both organisations' histories record the merge, each naming the other.
    for owner, action, other in (
        (survivor, "Merged a duplicate into this organisation", duplicate),
        (duplicate, "Merged into another organisation", survivor),
    ):
        history.history_record(
            actor=actor,
            owner=owner,
            action=action,
            subject=f"{other.name} (#{other.pk})",
            changes=summary,
            reason=reason,
        )
    audit.audit_record(
        action=AuditEvent.Action.ORGANISATIONS_MERGED,
        actor=actor,
        ip_address=ip_address,
        organisation=survivor,
        detail={
            "duplicate_id": duplicate.pk,
            "duplicate_name": duplicate.name,
            "moved": {i.label: i.count for i in moved},
        },
    )
    return survivor
