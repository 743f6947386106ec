"""Every model with a web-sized copy of its image makes it through one mixin
(`portal.lib.images.ThumbnailMixin`): a new upload gets a new thumbnail within the model's size,
a saved image keeps its thumbnail, no image means no thumbnail, and an image over the pixel limit
is refused before it is decoded."""

import pytest
from PIL import Image

from canteen.models import Dish
from classes.models import Course
from events.models import Activity, Event
from portal.lib import images
from portal.models import Announcement
from tests.portal.test_images import jpeg, png

# Each model, the field its thumbnail is made from, and the largest thumbnail.
THUMBNAILED = [
    (Announcement, "image", (640, 640)),
    (Dish, "photo", (320, 320)),
    (Course, "picture", (480, 360)),
    (Event, "image", (960, 960)),
    (Activity, "image", (960, 960)),
]
IDS = ["announcement", "dish", "course", "event", "activity"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("model", "source", "size"), THUMBNAILED, ids=IDS)
def test_each_image_model_makes_its_thumbnail_through_the_mixin(model, source, size):
    assert issubclass(model, images.ThumbnailMixin)
    row = model()
    setattr(row, source, jpeg(2_000, 1_500))

    row.refresh_thumbnail()

    with Image.open(row.thumbnail) as thumb:
        assert thumb.width <= size[0] and thumb.height <= size[1]
        assert size[0] in thumb.size or size[1] in thumb.size  # as large as the size allows
    made = row.thumbnail.name

    getattr(row, source)._committed = True  # the image saved with the row: nothing to redo
    row.refresh_thumbnail()
    assert row.thumbnail.name == made

    setattr(row, source, jpeg(800, 600, name="new.jpg"))  # a new upload: a new thumbnail
    row.refresh_thumbnail()
    assert row.thumbnail.name != made and "new-thumb" in row.thumbnail.name

    setattr(row, source, "")
    row.refresh_thumbnail()
    assert not row.thumbnail


@pytest.mark.parametrize(("model", "source", "size"), THUMBNAILED, ids=IDS)
def test_an_image_over_the_pixel_limit_gets_no_thumbnail(settings, model, source, size):
    settings.PORTAL_MAX_IMAGE_PIXELS = 1_000_000
    row = model()
    setattr(row, source, png(2_000, 1_000))

    with pytest.raises(images.TooManyPixels):
        row.refresh_thumbnail()
    assert not row.thumbnail


def test_saving_a_row_makes_its_thumbnail(db):
    announcement = Announcement(title="停水通知", body="周三停水。", image=jpeg(1_600, 1_200))

    announcement.save()

    announcement.refresh_from_db()
    with Image.open(announcement.thumbnail) as thumb:
        assert max(thumb.size) == 640
    announcement.image = ""
    announcement.save()
    announcement.refresh_from_db()
    assert not announcement.thumbnail
