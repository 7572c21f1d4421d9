"""Reads of the practice library that pages share: only what the user may see, with what the
pages show of each document's initiative."""

from initiatives import permissions


def documents_for_page(*, user):
    """The library documents this user may see, newest first, with their initiative and its
    lead (the list shows both)."""
    return (
        permissions.documents_visible_to(user=user)
        .select_related("initiative__lead")
        .order_by("-uploaded_at", "-pk")
    )


def initiative_documents(*, user, initiative):
    """An initiative's documents this user may see (its partners: all), with who added them."""
    return documents_for_page(user=user).filter(initiative=initiative).select_related("uploaded_by")


def register_documents(initiative):
    """The documents the public register shows with an initiative: what anyone may see."""
    return documents_for_page(user=None).filter(initiative=initiative)
