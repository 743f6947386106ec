"""Model and form fields the modules share."""

from django import forms
from django.db import models

from portal.validators import validate_image_pixels


class ImageFormField(forms.ImageField):
    """Django's image field, refusing an image over the pixel limit before Pillow opens it.

    Django's own check opens the image and, for a huge one, only says "not a valid image"; this
    one says what is wrong and how to fix it.
    """

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):
            validate_image_pixels(data)
        return super().to_python(data)


class ImageField(models.ImageField):
    """An uploaded image: every form for it (the admin's included) uses ImageFormField."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageFormField, **kwargs})

    def deconstruct(self):
        # Stored exactly like Django's ImageField: migrations need not know the difference.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs
