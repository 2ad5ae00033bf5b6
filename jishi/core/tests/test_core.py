import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jishi.core import clock
from jishi.core.countries import country_name, is_country, uses_postal_code
from jishi.core.errors import DomainError
from jishi.core.images import make_thumbnail, read_image
from jishi.core.pagination import paginate, parse_page_number


def test_the_clock_can_be_frozen_and_shifted():
    moment = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    with clock.frozen(moment):
        assert clock.now() == moment
    before = clock.now()
    with clock.shifted(dt.timedelta(days=15)):
        assert clock.now() - before >= dt.timedelta(days=15)
    with pytest.raises(ValueError), clock.frozen(dt.datetime(2026, 1, 1)):
        pass


def test_countries_come_from_cldr():
    assert is_country("cn") and is_country("US") and not is_country("EU") and not is_country("XX")
    assert country_name("DE") == "Germany"
    assert country_name("DE", "zh_Hans") == "德国"
    assert uses_postal_code("US") and not uses_postal_code("HK")


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), ("0", 1), ("-4", 1), ("abc", 1), (None, 1), ("99999999", 10000)])
def test_page_numbers_are_clamped(raw, expected):
    assert parse_page_number(raw) == expected


def test_paginate_clamps_to_the_last_page():
    page = paginate(list(range(50)), page=9, per_page=20)
    assert page.number == 3 and page.items == list(range(40, 50)) and page.pages == 3


def _png(size=(64, 48), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange").save(out, "PNG")
    return out.getvalue()


def test_images_are_checked_and_thumbnailed(settings):
    checked = read_image(SimpleUploadedFile("x.png", _png(), content_type="image/png"))
    assert (checked.width, checked.height, checked.extension) == (64, 48, "png")
    thumb = make_thumbnail(checked, size=32)
    with Image.open(io.BytesIO(thumb.read())) as image:
        assert image.size == (32, 32)


def test_a_text_file_named_like_an_image_is_refused():
    with pytest.raises(DomainError) as error:
        read_image(SimpleUploadedFile("photo.jpg", b"not really a picture", content_type="image/jpeg"), field="logo")
    assert error.value.code == "upload.not_an_image" and "logo" in error.value.fields


def test_an_oversized_upload_is_refused(settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    with pytest.raises(DomainError) as error:
        read_image(SimpleUploadedFile("big.png", _png((400, 400)) + b"\0" * 2000, content_type="image/png"))
    assert error.value.code == "upload.too_large"
