"""The fund pages' forms: income, a spending proposal, a correction, a statement's period."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fund.models import FundEntry
from portal.fields import ImageFormField
from portal.validators import validate_date_in_range, validate_image_file
from portal.widgets import DateInput


class FundIncomeForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_date_in_range])
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[
            (FundEntry.Category.CLASSROOM, FundEntry.Category.CLASSROOM.label),
            (FundEntry.Category.DONATION, FundEntry.Category.DONATION.label),
            (FundEntry.Category.PARTNER, FundEntry.Category.PARTNER.label),
            (FundEntry.Category.OTHER, FundEntry.Category.OTHER.label),
        ],
    )
    description = forms.CharField(label=_("Source"), max_length=200)
    donor_name = forms.CharField(label=_("Donor (optional)"), max_length=100, required=False)
    donor_is_public = forms.BooleanField(
        label=_("The donor agrees to be named publicly"), required=False
    )
    receipt = ImageFormField(
        label=_("Receipt (optional)"), required=False, validators=[validate_image_file]
    )


class FundExpenditureForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput, validators=[validate_date_in_range])
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[
            (FundEntry.Category.PROJECT, FundEntry.Category.PROJECT.label),
            (FundEntry.Category.SUPPLIES, FundEntry.Category.SUPPLIES.label),
            (FundEntry.Category.OTHER, FundEntry.Category.OTHER.label),
        ],
    )
    description = forms.CharField(label=_("Purpose"), max_length=200)
    receipt = ImageFormField(
        label=_("Receipt (optional)"), required=False, validators=[validate_image_file]
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput, validators=[validate_date_in_range])
    end = forms.DateField(label=_("To"), widget=DateInput, validators=[validate_date_in_range])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must end after it starts."))
        return data
