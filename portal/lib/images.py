"""Web-sized copies of uploaded images, made with Pillow."""

from io import BytesIO
from pathlib import PurePath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps


def thumbnail(source, max_size=(640, 640), quality=82) -> ContentFile:
    """A JPEG no larger than `max_size`, upright (EXIF orientation applied), as a ContentFile."""
    source.seek(0)
    with Image.open(source) as img:
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
