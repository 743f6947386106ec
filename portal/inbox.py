"""My messages (我的消息): the inbox of notices from every module, and which kinds also come by
text message or mail.

Kept apart from `portal.views` (accounts and households): the inbox is one feature with its own
pages. Marking read is always a POST; opening a page never changes anything.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal import notices
from portal.forms import NoticePreferencesForm
from portal.models import Notice

NOTICES_PER_PAGE = 20


def _get_my_notice(request, pk) -> Notice:
    """The notice if it is the user's own; 404 otherwise (whose notices exist is nobody's
    business)."""
    return get_object_or_404(Notice, pk=pk, recipient=request.user)


def _back(request):
    """Back where the form was (a page of the inbox), never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("inbox")


@login_required
def inbox(request):
    mine = Notice.objects.filter(recipient=request.user).only(
        "kind", "text", "url", "created_at", "read_at"
    )
    page = Paginator(mine, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "here": request.get_full_path(),
        "unread": notices.unread_count(request.user),
    }
    return render(request, "portal/inbox.html", ctx)


@login_required
@require_POST
def notice_read(request, pk):
    notice = _get_my_notice(request, pk)
    notices.mark_read(request.user, [notice.pk])
    return _back(request)


@login_required
@require_POST
def all_read(request):
    count = notices.mark_all_read(request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)s message marked read.", "%(count)s messages marked read.", count)
            % {"count": count},
        )
    return _back(request)


@login_required
def preferences(request):
    """Which kinds of message also come by text message or by email."""
    form = NoticePreferencesForm(initial=notices.choices_of(request.user))
    if request.method == "POST":
        form = NoticePreferencesForm(request.POST)
        if form.is_valid():
            notices.save_choices(request.user, form.cleaned_data)
            messages.success(request, _("Your choices were saved."))
            return redirect("notice-preferences")
    ctx = {
        "form": form,
        "rows": form.rows(),
        "has_mobile": bool(request.user.mobile),
        "has_email": bool(request.user.email),
        "quiet_hours": _quiet_hours_text(),
        "inbox_url": reverse("inbox"),
    }
    return render(request, "portal/notice_preferences.html", ctx)


def _quiet_hours_text() -> str:
    return settings.NOTICE_QUIET_HOURS.replace("-", "–")
