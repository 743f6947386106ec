import functools
from importlib import import_module

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from portal import modules, services
from portal import privacy as your_data
from portal.access import get_member_of_my_household, my_household_members
from portal.cache import cached, public_page, resident_page
from portal.context_processors import LARGE_TEXT_COOKIE, wants_large_text
from portal.forms import (
    DeleteAccountForm,
    HouseholdMemberForm,
    MobileForm,
    ProfileForm,
    ShowMobileForm,
)
from portal.models import Announcement, ConsentChange
from portal.people import visible_users

# Each module may contribute a section to the home page through `<app>.home.section(request)`,
# which returns the context for `<app>/_home_section.html` (or None to show nothing).
HOME_SECTION_APPS = modules.having("home")


def _comes_first(template: str, section: dict) -> bool:
    return bool(
        (template.startswith("canteen/") and section.get("elder"))
        or (template.startswith("volunteers/") and section.get("next_signup"))
        or (template.startswith("classes/") and section.get("next_session"))
    )


def _announcements():
    return list(Announcement.objects.published()[:5])


@public_page(*HOME_SECTION_APPS)
@resident_page(*HOME_SECTION_APPS, "fund")  # classes staff see the spending to approve
def home(request):
    sections = []
    for app in HOME_SECTION_APPS:
        section = import_module(f"{app}.home").section(request)
        if section is not None:
            sections.append({"template": f"{app}/_home_section.html", "context": section})
    # What this person uses comes first, above the announcements: an elder's meals, a volunteer's
    # next post, a parent's child's next class; the rest keep their order below.
    first = [s for s in sections if _comes_first(s["template"], s["context"])]
    ctx = {
        # Scheduled announcements appear within a minute of their time.
        "announcements": cached("home:announcements", ("portal",), _announcements, timeout=60),
        "first_sections": first,
        "sections": [s for s in sections if s not in first],
    }
    return render(request, "portal/home.html", ctx)


@public_page(params=["page"])
def announcement_list(request):
    page = Paginator(Announcement.objects.published(), 20).get_page(request.GET.get("page"))
    return render(request, "portal/announcement_list.html", {"page": page})


@public_page()
def announcement_detail(request, pk):
    announcement = get_object_or_404(Announcement.objects.published(), pk=pk)
    return render(request, "portal/announcement_detail.html", {"announcement": announcement})


def privacy(request):
    return render(request, "portal/privacy.html")


def signup_sent(request):
    """Where a sign-up with already registered details lands (see `portal.signup`)."""
    return render(request, "account/signup_sent.html")


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(instance=user)
    # With verification on, a new number is taken only with the code sent to it (allauth's
    # change-phone page); without it, here, and the number waits for staff to verify it.
    by_code = settings.ACCOUNT_PHONE_VERIFICATION_ENABLED
    mobile_form = None if by_code else MobileForm(user=user)
    status = 200
    if request.method == "POST":
        if "save_mobile" in request.POST and by_code:
            messages.error(request, _("A new mobile number needs the code sent to it."))
            status = 400
        elif "save_mobile" in request.POST:
            mobile_form = MobileForm(request.POST, user=user)
            if mobile_form.is_valid():
                services.change_mobile(user, mobile_form.cleaned_data["mobile"])
                messages.success(request, _("Your mobile number was saved."))
                return redirect("profile")
        else:
            form = ProfileForm(request.POST, instance=user)
            if form.is_valid():
                services.save_profile(user, **form.cleaned_data)
                messages.success(request, _("Your profile was saved."))
                return redirect("profile")
    ctx = {"form": form, "mobile_form": mobile_form, "mobile_by_code": by_code}
    return render(request, "portal/profile.html", ctx, status=status)


@login_required
def new_password_after_code(request):
    """Set a new password without the old one, just after logging in by a code to the mobile
    (how a resident who forgot their password and has no email gets back in)."""
    if not services.recently_logged_in_by_code(request):
        messages.error(
            request,
            _("To set a new password without the old one, first log in with a code sent to you."),
        )
        return redirect("account_request_login_code")
    form = SetPasswordForm(request.user)
    if request.method == "POST":
        form = SetPasswordForm(request.user, request.POST)
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)
            services.forget_code_login(request)
            messages.success(request, _("Your new password is saved."))
            return redirect("profile")
    return render(request, "portal/new_password.html", {"form": form})


@login_required
def household(request):
    form = HouseholdMemberForm()
    if request.method == "POST":
        form = HouseholdMemberForm(request.POST)
        if form.is_valid():
            try:
                member = services.add_member(request.user, **form.cleaned_data)
            except services.HouseholdError as e:
                messages.error(request, str(e))
            else:
                messages.success(
                    request, _("%(name)s was added to your household.") % {"name": member.name}
                )
                return redirect("household")
    ctx = {"members": list(my_household_members(request.user)), "form": form}
    return render(request, "portal/household.html", ctx)


@login_required
def household_member_edit(request, pk):
    member = get_member_of_my_household(request, pk)
    if member.user_id:
        messages.info(request, _("Account holders edit their own profile."))
        return redirect("household")
    form = HouseholdMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was updated.") % {"name": member.name})
        return redirect("household")
    return render(request, "portal/household_member_edit.html", {"form": form, "member": member})


@login_required
@require_POST
def household_member_remove(request, pk):
    member = get_member_of_my_household(request, pk)
    try:
        services.remove_member(request.user, member)
    except services.HouseholdError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": member.full_name})
    return redirect("household")


# ---------------------------------------------------------------- your data (PIPL)


def _my_consents(user) -> dict:
    """What "Your data" shows of the consents: which are given, and since when."""
    from classes.models import Enrolment
    from volunteers.models import VolunteerProfile

    latest = {}
    for change in ConsentChange.objects.filter(user=user, given=True).order_by("at"):
        latest[change.consent] = change.at
    profile = VolunteerProfile.objects.filter(user=user).first()
    return {
        "privacy_consented_at": user.privacy_consented_at,
        "volunteer_profile": profile,
        "name_public_since": latest.get(ConsentChange.Consent.NAME_PUBLIC),
        "photo_enrolments": list(
            Enrolment.objects.filter(child__household_id=user.household_id or 0, photo_consent=True)
            .select_related("course", "child__user")
            .order_by("created_at")
        ),
    }


@login_required
def my_data(request):
    ctx = {**_my_consents(request.user), "phrase": DeleteAccountForm.phrase()}
    return render(request, "portal/my_data.html", ctx)


@never_cache
@login_required
def my_data_export(request, fmt):
    """A copy of everything the portal holds about me and my household: JSON or a readable,
    printable page."""
    tables = your_data.collect(request.user)
    if fmt == "json":
        response = JsonResponse(
            your_data.as_json(request.user, tables),
            encoder=DjangoJSONEncoder,
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
        stamp = localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
        return response
    ctx = {"tables": tables, "generated_at": now()}
    return render(request, "portal/my_data_export.html", ctx)


@login_required
@require_POST
def consent_change(request):
    """Withdraw (or give again) a consent. Unknown values are a 400 that changes nothing."""
    from volunteers.models import VolunteerProfile
    from volunteers.services import set_name_visibility

    user = request.user
    consent, given = request.POST.get("consent"), request.POST.get("given")
    if (
        consent == ConsentChange.Consent.NAME_PUBLIC
        and given in ("0", "1")
        # only volunteers have a name on team pages; nobody becomes one by this form
        and VolunteerProfile.objects.filter(user=user).exists()
    ):
        set_name_visibility(user, given == "1")
        if given == "1":
            messages.success(request, _("Your name is shown on public team pages again."))
        else:
            messages.success(request, _("Your name is no longer shown on public team pages."))
    elif consent == ConsentChange.Consent.PHOTO and given == "0":
        services.withdraw_photo_consent(user)
        messages.success(request, _("Your children may no longer be photographed in class."))
    else:
        return HttpResponseBadRequest(_("Unknown consent."))
    return redirect("my-data")


@login_required
def account_delete(request):
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    # The password check is a way to guess it: allauth's re-authentication limit (per user).
    if request.method == "POST" and not ratelimit.consume(
        request, action="reauthenticate", user=user
    ):
        ctx = {
            "form": DeleteAccountForm(user=user),
            "phrase": DeleteAccountForm.phrase(),
            "refusal": _("Too many attempts; please wait a minute and try again."),
        }
        return render(request, "portal/account_delete.html", ctx, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(user)
        except services.AccountError as e:
            messages.error(request, str(e))
            return redirect("my-data")
        logout(request)
        messages.success(request, _("Your account was deleted. Thank you for taking part."))
        return redirect("home")
    ctx = {"form": form, "phrase": DeleteAccountForm.phrase()}
    return render(request, "portal/account_delete.html", ctx)


@login_required
def show_mobile(request, pk):
    """Someone's full mobile number, for a person whose work involves them, once they say why.

    Every showing is logged (`MobileReveal`). The number is rendered in the answer to the POST
    rather than after a redirect, so it never sits in a message cookie or the session.
    """
    person = get_object_or_404(visible_users(request.user).exclude(mobile=None), pk=pk)
    place = _local_path(request.POST.get("next") or request.GET.get("next", ""))
    form = ShowMobileForm(request.POST or None)
    shown = False
    if request.method == "POST" and form.is_valid():
        services.record_mobile_reveal(
            request.user, person, place=place, reason=form.cleaned_data["reason"]
        )
        shown = True
    ctx = {"person": person, "form": form, "shown": shown, "next": place}
    return render(request, "portal/show_mobile.html", ctx)


def _local_path(target: str) -> str:
    """A path on this site to go back to (anything else is dropped)."""
    if any(ord(c) < 32 for c in target) or len(target) > 200:
        return ""  # control characters (a NUL breaks PostgreSQL) or not a page of ours
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return ""


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def _csrf_for_accounts(view):
    """CSRF protection for logged-in residents only.

    For a visitor these switches only set a cookie of their own browser, so their forms carry no
    token: that keeps every public page the same for all visitors and so cacheable
    (portal.cache.public_page). For a resident they change the account, and the token is checked.
    """

    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return protected(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
@_csrf_for_accounts
def set_language(request):
    """Django's language switch, and for a logged-in resident the choice kept on the account."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {c for c, _n in settings.LANGUAGES}:
        services.set_language(request.user, language)
    return response


@require_POST
@_csrf_for_accounts
def text_size(request):
    """Toggle large text. Remembered on the account, and in a cookie for visitors."""
    on = (
        request.POST.get("large") == "1"
        if "large" in request.POST
        else not wants_large_text(request)
    )
    if request.user.is_authenticated:
        services.set_large_text(request.user, on)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        LARGE_TEXT_COOKIE,
        "1" if on else "0",
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


@login_required
def broadcast_progress(request, pk):
    """How far a staff message has gone: only for whoever sent it (and superusers)."""
    from portal import broadcasts
    from portal.models import Broadcast

    broadcast = get_object_or_404(Broadcast, pk=pk)
    if broadcast.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    ctx = {"broadcast": broadcast, "progress": broadcasts.progress(broadcast)}
    return render(request, "portal/broadcast_progress.html", ctx)
