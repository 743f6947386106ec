"""Content in both languages: the Chinese text staff type, and an optional English version.

A model keeps its Chinese field (`title`) and may add `title_en = english_version(...)`, blank
allowed. English pages show the English version where there is one and fall back to the
Chinese; Chinese pages always show the Chinese. Templates write `{{ course|localized:"title" }}`
(the filter is a template builtin), Python calls `localized(course, "title")`.
Fixed vocabularies are not content: they are translated `choices`.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def english_version(max_length: int) -> models.CharField:
    """The optional English version of a Chinese text field (shown on English pages)."""
    return models.CharField(
        _("in English"),
        max_length=max_length,
        blank=True,
        help_text=_("Optional: shown on English pages; empty shows the Chinese."),
    )


def wants_english() -> bool:
    return (get_language() or "").lower().startswith("en")


def localized(obj, field: str):
    """`obj.<field>_en` on an English page when it is filled in, else `obj.<field>`."""
    if obj is None or obj == "":
        return ""
    if wants_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


class LocalizedMixin:
    """`obj.localized("title")` on a model with `title` and `title_en`."""

    def localized(self, field: str):
        return localized(self, field)
