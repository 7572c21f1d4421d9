"""Which organisation a cell of a spreadsheet names: by its GSS code, else by its name or short
name, else by one of its alternative names (see OrganisationName), for many cells at once in a
constant number of queries, with the closest names suggested when nothing matches."""

import re
from typing import NamedTuple

from django.db import connection
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower, Trim

from partners import permissions
from partners.models import Organisation, OrganisationName, normalise_name

GSS_CODE = re.compile(r"[A-Z][0-9]{8}")
SUGGESTIONS = 3
CLOSE_ENOUGH = 0.3  # the word similarity below which a name is no suggestion


class OrganisationMatch(NamedTuple):
    organisation: Organisation | None
    message: str  # empty when matched; otherwise what is wrong, for the person to correct


def label(organisation):
    """An organisation as a message names it: its name and, if it has one, its GSS code."""
    code = organisation.gss_code
    return f"{organisation.name} ({code})" if code else organisation.name


def _either(labels):
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def _key(value):
    """('code', 'E08000035'), ('name', 'leeds city council') or None for an empty cell."""
    text = " ".join(str(value if value is not None else "").split())
    if GSS_CODE.fullmatch(text.upper()):
        return ("code", text.upper())
    name = normalise_name(text)
    return ("name", name) if name else None


def _candidates(keys, *, user):
    """Every organisation the user may see that one of the keys names, whatever its state, with
    what it was merged into, its successors and the alternative names that were asked for."""
    codes = {key for kind, key in keys if kind == "code"}
    names = {key for kind, key in keys if kind == "name"}
    also_known = OrganisationName.objects.filter(search_name__in=names)
    return list(
        permissions.organisations_visible_to(user=user)
        .alias(short_key=Lower(Trim("short_name")))
        .filter(
            Q(gss_code__in=codes)
            | Q(search_name__in=names)
            | Q(short_key__in=names)
            | Q(pk__in=also_known.values("organisation"))
        )
        .select_related("merged_into")
        .prefetch_related(
            Prefetch("alternative_names", queryset=also_known, to_attr="names_asked_for"),
            Prefetch("successors", queryset=Organisation.objects.order_by("name")),
        )
        .order_by("name", "pk")
    )


def _suggestions(names, *, user):
    """{normalised name: [(name, gss code), …]}: for each name, the three organisations that may
    be chosen whose names are closest to it by trigram similarity, closest first. One query for
    all the names (a lateral join), each the nearest by word similarity through the trigram GiST
    index (migration 0007); none on a database without it."""
    if not names or connection.vendor != "postgresql":
        return {}
    allowed = permissions.organisations_selectable().filter(
        pk__in=permissions.organisations_visible_to(user=user).values("pk")
    )
    allowed_sql, allowed_params = allowed.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Organisation._meta.db_table)
    # Only our own table name, a constant and the ORM's compiled SQL are put in the text; every
    # value (the names, the ORM's parameters, the threshold) goes as a parameter.
    sql = f"""
        SELECT wanted.name, closest.name, closest.gss_code
        FROM unnest(%s::text[]) AS wanted(name)
        CROSS JOIN LATERAL (
            SELECT o.name, o.gss_code, o.search_name <->> wanted.name AS distance
            FROM {table} o
            WHERE o.id IN ({allowed_sql})
            ORDER BY distance
            LIMIT {SUGGESTIONS}
        ) closest
        WHERE closest.distance <= %s
        ORDER BY wanted.name, closest.distance, closest.name
    """  # noqa: S608
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(names), *allowed_params, 1 - CLOSE_ENOUGH])
        for name, organisation_name, code in cursor.fetchall():
            found.setdefault(name, []).append(
                f"{organisation_name} ({code})" if code else organisation_name
            )
    return found


def _not_selectable(organisation):
    """Why an organisation named in a cell cannot be used."""
    if organisation.merged_into_id:
        return (
            f"{label(organisation)} was merged into {label(organisation.merged_into)}, "
            "which is no longer active"
        )
    message = f"{label(organisation)} is no longer active"
    successors = [label(s) for s in organisation.successors.all()]
    if successors:
        message += f": it was replaced by {_either(successors)}"
    return message


def _resolve(value, matches, selectable):
    """The one organisation `matches` lead to (following merges), or why there is none."""
    survivors = {}
    for organisation in matches:
        survivor = organisation.merged_into or organisation
        if survivor.pk in selectable:
            survivors.setdefault(survivor.pk, survivor)
    if len(survivors) == 1:
        return OrganisationMatch(next(iter(survivors.values())), "")
    if survivors:
        labels = sorted(label(o) for o in survivors.values())
        return OrganisationMatch(
            None, f"'{value}' could be {_either(labels)}: give its GSS code or its full name"
        )
    return None


def organisations_match(values, *, user):
    """{value: OrganisationMatch} for every value (a GSS code or a name, as typed in a cell).

    A value is matched by GSS code exactly; else by the normalised name or short name of an
    organisation; else by one of its alternative names. Merged organisations lead to the one
    they were merged into; only partners.permissions.organisations_selectable() may be
    matched. Two organisations by the same name are ambiguous, and both are named. Nothing
    matching: the closest names, each with its GSS code. Whether the user may use the
    organisation (as a lead or a partner) is the caller's question. Five queries, however many
    values."""
    values = list(dict.fromkeys(values))
    keys = {value: _key(value) for value in values}
    asked = {key for key in keys.values() if key}
    candidates = _candidates(asked, user=user)
    survivor_ids = {o.merged_into_id or o.pk for o in candidates}
    selectable = set(
        permissions.organisations_selectable()
        .filter(pk__in=survivor_ids)
        .values_list("pk", flat=True)
    )
    by_code, by_name, by_other_name = {}, {}, {}
    for o in candidates:
        by_code.setdefault(o.gss_code, []).append(o)
        for text in {o.search_name, normalise_name(o.short_name)}:
            by_name.setdefault(text, []).append(o)
        for other in o.names_asked_for:
            by_other_name.setdefault(other.search_name, []).append(o)
    results, unmatched = {}, {}
    for value, key in keys.items():
        if key is None:
            results[value] = OrganisationMatch(None, "Enter the organisation's name or GSS code")
            continue
        kind, text = key
        if kind == "code":
            tiers = [by_code.get(text, [])]
        else:
            tiers = [by_name.get(text, []), by_other_name.get(text, [])]
        for tier in tiers:
            if found := _resolve(value, tier, selectable):
                results[value] = found
                break
        else:
            named = [o for tier in tiers for o in tier]
            if named:
                results[value] = OrganisationMatch(None, _not_selectable(named[0]))
            elif kind == "code":
                results[value] = OrganisationMatch(None, f"No organisation has the GSS code {text}")
            else:
                unmatched[value] = text
    suggestions = _suggestions(set(unmatched.values()), user=user)
    for value, text in unmatched.items():
        message = f"No organisation called '{value}'"
        if closest := suggestions.get(text):
            message += f". Did you mean {_either(closest)}?"
        else:
            message += ". Check its spelling, or give its GSS code"
        results[value] = OrganisationMatch(None, message)
    return results
