"""Reusable validators: the mainland mobile number, birth dates, uploaded images."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    """Strip what people type around a number: spaces, dashes and a +86 / 0086 prefix."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mainland_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a mainland mobile number: 11 digits starting with 13–19."),
            code="invalid_mobile",
        )


def validate_birth_date(value) -> None:
    if value is None:
        return
    if value > localdate():
        raise ValidationError(_("A birth date cannot be in the future."), code="future_birth_date")
    if value.year < 1900:
        raise ValidationError(_("Enter a birth date after 1900."), code="ancient_birth_date")


def validate_image_file(upload) -> None:
    """Refuse files over the size limit, images over the pixel limit (read from the header,
    before anything is decoded) and files Pillow cannot read as a whole image."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.PORTAL_MAX_IMAGE_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The image is too large (%(size)s); the limit is %(limit)s."),
            code="image_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    validate_image_pixels(upload)
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as img:
            img.verify()
        # verify() checks little beyond PNG checksums: decode it (a JPEG at a reduced scale; the
        # pixel limit above bounds the rest) so a truncated file is refused here, not when the
        # thumbnail is made.
        upload.seek(position)
        with Image.open(upload) as img:
            img.draft("RGB", (1024, 1024))
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("Upload a valid image (JPEG, PNG, GIF or WebP)."), code="invalid_image"
        ) from None
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)


def validate_image_pixels(upload) -> None:
    """Refuse an image with more pixels than PORTAL_MAX_IMAGE_PIXELS; a file that is no image
    passes here and is refused by the image check itself."""
    from PIL import UnidentifiedImageError

    from portal.lib.images import TooManyPixels, check_pixels

    try:
        check_pixels(upload)
    except TooManyPixels as e:
        raise ValidationError(
            _(
                "The image has too many pixels; the limit is %(limit)s megapixels. "
                "Please resize it (a phone photo is about 12 megapixels) and upload it again."
            ),
            code="image_too_many_pixels",
            params={"limit": e.limit // 1_000_000},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return


def validate_date_in_range(value) -> None:
    """A date the portal can plan or report on: years 1900–2100 (a year 9999 is a typo)."""
    from portal.lib.params import MAX_YEAR, MIN_YEAR

    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _("Choose a date between the years %(min)s and %(max)s."),
            code="date_out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )
