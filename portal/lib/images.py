"""Web-sized copies of uploaded images, made with Pillow, in bounded memory.

A compressed image can claim any size: a 20 KB PNG of 13,000 × 13,000 pixels takes ~2 GB and half
a minute to decode. `check_pixels` reads only the header and refuses anything over the limit
(`PORTAL_MAX_IMAGE_PIXELS`); `thumbnail` checks again before decoding, decodes a JPEG at a
reduced scale (`Image.draft`) and shrinks the image before copying it, so at most one
full-size copy of an image under the limit is ever in memory.
"""

from io import BytesIO
from pathlib import PurePath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps


class TooManyPixels(ValueError):
    """The image has more pixels than the portal decodes."""

    def __init__(self, pixels: int | None, limit: int):
        super().__init__(f"image of {pixels or 'over ' + str(2 * limit)} pixels; limit {limit}")
        self.pixels, self.limit = pixels, limit


def max_pixels() -> int:
    from django.conf import settings

    return settings.PORTAL_MAX_IMAGE_PIXELS


def limit_pillow(limit: int | None = None) -> None:
    """Pillow's own bomb check (a warning over the limit, an error over twice it) follows ours."""
    Image.MAX_IMAGE_PIXELS = limit or max_pixels()


def check_pixels(source) -> tuple[int, int]:
    """The image's (width, height), read from its header only; TooManyPixels over the limit.

    Leaves `source` at the position it was at. Pillow's own errors (not an image) pass through.
    """
    limit = max_pixels()
    position = source.tell() if hasattr(source, "tell") else 0
    try:
        with Image.open(source) as img:
            width, height = img.size
    except Image.DecompressionBombError:
        raise TooManyPixels(None, limit) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(position)
    if width * height > limit:
        raise TooManyPixels(width * height, limit)
    return width, height


def thumbnail(source, max_size=(640, 640), quality=82) -> ContentFile:
    """A JPEG no larger than `max_size`, upright (EXIF orientation applied), as a ContentFile.

    Raises TooManyPixels for an image over the limit, before decoding it.
    """
    source.seek(0)
    check_pixels(source)
    with Image.open(source) as img:
        # JPEG decodes at 1/2, 1/4 or 1/8 scale when that is still at least max_size; then the
        # image shrinks in place before any full-size copy (rotation, mode conversion) is made.
        img.draft("RGB", max_size)
        img.thumbnail((max(max_size), max(max_size)))
        img = ImageOps.exif_transpose(img)
        if img.mode not in ("RGB", "L"):
            background = Image.new("RGB", img.size, "white")
            rgba = img.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            img = background
        img.thumbnail(max_size)
        out = BytesIO()
        img.save(out, format="JPEG", quality=quality, optimize=True)
    stem = PurePath(getattr(source, "name", "image") or "image").stem
    return ContentFile(out.getvalue(), name=f"{stem}-thumb.jpg")


class ThumbnailMixin:
    """For a model with an uploaded image and a web-sized copy of it that pages show.

    On save, a new upload gets a new thumbnail, no image means no thumbnail, and a saved image
    keeps the one it has. Configured by class attributes: the image field's name
    (`thumbnail_source`), the thumbnail field's (`thumbnail_field`, an `ImageField` with
    `editable=False`) and the largest size (`thumbnail_size`). TooManyPixels passes through:
    the upload's validators refuse such an image first.
    """

    thumbnail_source = "image"
    thumbnail_field = "thumbnail"
    thumbnail_size = (640, 640)

    def save(self, *args, **kwargs):
        self.refresh_thumbnail()
        super().save(*args, **kwargs)

    def refresh_thumbnail(self) -> None:
        """Keep the thumbnail in step with the image (without saving the row)."""
        image = getattr(self, self.thumbnail_source)
        if not image:
            setattr(self, self.thumbnail_field, "")
            return
        current = getattr(self, self.thumbnail_field)
        if getattr(image, "_committed", True) and current:
            return
        thumb = thumbnail(image, max_size=self.thumbnail_size)
        current.save(thumb.name, thumb, save=False)
