"""Uploaded images: decompression bombs, corrupt files and non-images are refused with a clear
message before anything is decoded, on every upload field; thumbnails stay bounded."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from canteen.models import Dish
from classes.models import Course
from events.models import Activity
from fund.models import FundEntry
from portal.fields import ImageFormField
from portal.lib import images
from portal.models import Announcement
from portal.validators import validate_image_file
from tests.factories import make_user
from volunteers.models import Team

UPLOAD_FIELDS = [
    (Announcement, "image"),
    (Team, "flag"),
    (Activity, "image"),
    (Dish, "photo"),
    (Course, "picture"),
    (FundEntry, "receipt"),
]


def png(width, height, name="photo.png") -> SimpleUploadedFile:
    """A real PNG made by Pillow: one-bit black, so even a huge one is tiny on disk."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg(width, height, name="photo.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture(scope="module")
def bomb_bytes():
    return png(13_000, 13_000).read()


@pytest.fixture
def bomb(bomb_bytes):
    """13,000 × 13,000 pixels (169 megapixels) in a few dozen kilobytes."""
    return SimpleUploadedFile("bomb.png", bomb_bytes, content_type="image/png")


def _codes(excinfo):
    return [e.code for e in excinfo.value.error_list]


def test_a_tiny_png_of_169_megapixels_is_refused_by_the_validator(bomb, settings):
    assert settings.PORTAL_MAX_IMAGE_PIXELS == 40_000_000
    assert bomb.size < 200_000

    with pytest.raises(ValidationError) as excinfo:
        validate_image_file(bomb)

    assert _codes(excinfo) == ["image_too_many_pixels"]
    assert "40" in str(excinfo.value.messages[0])
    assert bomb.tell() == 0


def test_an_image_just_over_the_setting_is_refused_and_one_at_it_is_accepted(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 200 * 100

    validate_image_file(png(200, 100))
    with pytest.raises(ValidationError) as excinfo:
        validate_image_file(png(201, 100))
    assert _codes(excinfo) == ["image_too_many_pixels"]


def test_a_truncated_image_and_a_text_file_named_jpg_are_refused_as_not_images():
    whole = jpeg(400, 300).read()
    for upload in (
        SimpleUploadedFile("cut.jpg", whole[: len(whole) // 3], content_type="image/jpeg"),
        SimpleUploadedFile("notes.jpg", b"=cmd|' /C calc'!A0\n", content_type="image/jpeg"),
        SimpleUploadedFile("empty.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            validate_image_file(upload)
        assert _codes(excinfo) == ["invalid_image"], upload.name


@pytest.mark.parametrize(
    ("model", "name"), UPLOAD_FIELDS, ids=[f"{m.__name__}.{n}" for m, n in UPLOAD_FIELDS]
)
def test_every_upload_field_checks_pixels_in_its_forms_and_its_model(model, name):
    field = model._meta.get_field(name)

    assert type(field.formfield()) is ImageFormField
    assert validate_image_file in field.validators


def test_the_form_field_says_the_image_has_too_many_pixels(bomb):
    with pytest.raises(ValidationError) as excinfo:
        ImageFormField().clean(bomb)

    assert _codes(excinfo) == ["image_too_many_pixels"]


def test_a_huge_fund_receipt_is_refused_on_the_page_and_nothing_is_recorded(
    client, classes_staff, bomb
):
    client.force_login(classes_staff)

    response = client.post(
        reverse("fund:income"),
        {
            "date": "2026-09-01",
            "amount": "10.00",
            "category": "donation",
            "description": "捐赠",
            "receipt": bomb,
        },
        follow=True,
    )

    # The fund page comes back with what was typed and the reason (a refused form is a 400).
    assert response.status_code == 400
    assert not FundEntry.objects.exists()
    page = response.content.decode()
    assert "too many pixels" in page or "像素过多" in page


def test_a_huge_dish_photo_is_refused_in_the_admin_and_no_dish_is_saved(
    db, client, settings, tmp_path, bomb
):
    settings.MEDIA_ROOT = tmp_path
    admin = make_user("超级管理员", role_list=[])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.post(
        reverse("admin:canteen_dish_add"),
        {"name": "红烧肉", "balance": "meat", "photo": bomb, "is_active": "on"},
    )

    assert response.status_code == 200
    assert not Dish.objects.exists()
    errors = response.context["adminform"].form.errors["photo"].as_data()
    assert [e.code for e in errors] == ["image_too_many_pixels"]


def test_a_real_photo_still_uploads_in_the_admin_and_gets_a_thumbnail(
    db, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    admin = make_user("超级管理员", role_list=[])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.post(
        reverse("admin:canteen_dish_add"),
        {"name": "红烧肉", "balance": "meat", "photo": jpeg(1600, 1200), "is_active": "on"},
    )

    assert response.status_code == 302
    dish = Dish.objects.get()
    with Image.open(dish.thumbnail) as thumb:
        assert max(thumb.size) <= 320


def test_thumbnailing_refuses_an_image_over_the_limit_before_decoding_it(settings):
    settings.PORTAL_MAX_IMAGE_PIXELS = 1_000_000

    with pytest.raises(images.TooManyPixels):
        images.thumbnail(png(2_000, 1_000))


def test_a_big_jpeg_is_decoded_at_a_reduced_scale_for_its_thumbnail(monkeypatch):
    decoded = []
    original = Image.Image.thumbnail

    def spy(self, size, *args, **kwargs):
        decoded.append(self.size)
        return original(self, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "thumbnail", spy)

    thumb = images.thumbnail(jpeg(4_000, 3_000), max_size=(320, 320))

    assert decoded and decoded[0][0] <= 4_000 // 8 + 1  # JPEG draft: 1/8 scale, not 12 MP
    with Image.open(thumb) as img:
        assert max(img.size) <= 320


def test_pillows_own_limit_follows_the_setting(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.PORTAL_MAX_IMAGE_PIXELS
