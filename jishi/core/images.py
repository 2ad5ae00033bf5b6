"""Uploaded images: size and type checks, and thumbnails made with Pillow.

Every upload (store logos and banners, product images) passes ``read_image``, which refuses files
that are too large, are not images, or are images in a format we do not serve.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jishi.core.errors import field_error

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedImage:
    content: ContentFile
    width: int
    height: int
    extension: str


def read_image(upload, *, field: str = "image") -> CheckedImage:
    """Validate an uploaded file and return its bytes as a ContentFile.

    Raises DomainError ``upload.too_large`` or ``upload.not_an_image`` with the field's message.
    """
    if upload is None:
        raise field_error("upload.missing", field, _("Choose an image file."))
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise field_error("upload.too_large", field,
                          _("The image is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise field_error("upload.too_large", field,
                          _("The image is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            fmt, width, height = image.format, image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise field_error("upload.not_an_image", field, _("Upload a JPEG, PNG, WebP or GIF image."))
    if fmt not in ALLOWED_FORMATS:
        raise field_error("upload.not_an_image", field, _("Upload a JPEG, PNG, WebP or GIF image."))
    if width * height > MAX_PIXELS:
        raise field_error("upload.too_large", field, _("The image has too many pixels."))
    extension = ALLOWED_FORMATS[fmt]
    return CheckedImage(ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"), width, height, extension)


def make_thumbnail(checked: CheckedImage, *, size: int = 480) -> ContentFile:
    """A square-cropped JPEG (or PNG when transparent) of ``size`` pixels a side."""
    with Image.open(io.BytesIO(checked.content.read())) as image:
        checked.content.seek(0)
        image = ImageOps.exif_transpose(image)
        thumb = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if thumb.mode in ("RGBA", "LA", "P"):
            thumb.convert("RGBA").save(out, "PNG", optimize=True)
            ext = "png"
        else:
            thumb.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
            ext = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")
