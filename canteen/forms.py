from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from canteen.models import Collector, Dish, MealSlot, Menu, price_error
from portal.validators import normalize_mobile, validate_date_in_range, validate_mainland_mobile
from portal.widgets import DateInput, MonthInput


class BookForm(forms.Form):
    """Book one menu for someone of my household (the choices are limited by the view)."""

    menu = forms.ModelChoiceField(queryset=Menu.objects.none(), widget=forms.HiddenInput)
    member = forms.ModelChoiceField(
        queryset=None, label=pgettext_lazy("meal booked for", "For"), empty_label=None
    )

    def __init__(self, *args, members, menus=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["menu"].queryset = menus if menus is not None else Menu.objects.published()


class CollectorForm(forms.ModelForm):
    # Wider than the stored 11 digits: people type spaces, dashes and +86 (normalised below).
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)

    class Meta:
        model = Collector
        fields = ["member", "name", "relation", "mobile"]
        labels = {"member": _("Collects for")}
        help_texts = {"relation": _("For example: daughter, neighbour, volunteer.")}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].empty_label = None

    def clean_mobile(self):
        mobile = normalize_mobile(self.cleaned_data.get("mobile", ""))
        if mobile:
            validate_mainland_mobile(mobile)
        return mobile


class CounterCollectorForm(CollectorForm):
    """Staff at the counter add someone allowed to collect for the person on screen."""

    class Meta(CollectorForm.Meta):
        fields = ["name", "relation", "mobile"]

    def __init__(self, *args, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["mobile"].required = True  # staff reach the collector by phone


class CounterSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, mobile number or member code"),
        max_length=50,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class RecordMealForm(forms.Form):
    """What the counter records: which of today's menus, and who collected it for the person."""

    menu = forms.ModelChoiceField(queryset=Menu.objects.none(), label=_("Meal"), empty_label=None)
    collector = forms.ModelChoiceField(
        queryset=Collector.objects.none(),
        label=_("Collected by"),
        required=False,
        empty_label=_("The person themselves"),
    )

    def __init__(self, *args, menus, collectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["menu"].queryset = menus
        self.fields["collector"].queryset = collectors


class PhoneBookingForm(forms.Form):
    menu = forms.ModelChoiceField(
        queryset=Menu.objects.none(), label=_("Meal to book"), empty_label=None
    )

    def __init__(self, *args, menus, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["menu"].queryset = menus


class ReverseMealForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)


class MealLookupForm(forms.Form):
    """The counter's look-up of one person's earlier meals: a day, or the open months."""

    day = forms.DateField(label=_("Meals of the day"), required=False, widget=DateInput)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        validators=[validate_date_in_range],
        widget=MonthInput,
    )


class LoveMealDayForm(forms.Form):
    day = forms.DateField(
        label=_("Love Meal Day"),
        validators=[validate_date_in_range],
        widget=DateInput,
    )


class AssignDeliveryForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=None, label=_("Volunteer"), required=False)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["volunteer"].widget.attrs["class"] = "form-select form-select-sm w-auto"
        self.fields["volunteer"].widget.attrs["aria-label"] = _("Volunteer")


class MenuForm(forms.ModelForm):
    """Staff plan one slot of one day: dishes, the meal-set price (in the community's range)."""

    class Meta:
        model = Menu
        fields = ["day", "slot", "dishes", "price", "portion_limit", "note"]
        widgets = {
            "day": DateInput,
            "dishes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = MealSlot.objects.filter(is_active=True)
        self.fields["day"].validators.append(validate_date_in_range)
        self.fields["dishes"].queryset = Dish.objects.filter(is_active=True)

    def clean_price(self):
        price = self.cleaned_data["price"]
        error = price_error(price)
        if error:
            raise forms.ValidationError(error, code="price_out_of_range")
        return price
