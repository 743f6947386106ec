"""The micro-fund's pages: the public transparency page, and the ledger for its managers (and,
to propose spending, for alliance staff). Who may do what: `fund.access`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fund import services, stats
from fund.access import MANAGER_ROLES, PROPOSER_ROLES, manages_fund
from fund.forms import FundExpenditureForm, FundIncomeForm, PeriodForm, ReverseForm
from fund.models import FundEntry
from portal import exports
from portal.access import require_role
from portal.cache import public_page


@public_page("fund")
def fund(request):
    """The public transparency page: balance, income and spending by month and category, projects.

    The same for everyone (no form, no personal data), so visitors get it from the cache and
    residents get its figures from the cache.
    """
    return render(request, "fund/fund.html", stats.fund_overview())


@login_required
def manage(request):
    require_role(request, *PROPOSER_ROLES)
    return render(request, "fund/fund_manage.html", _manage_ctx(request.user))


def _manage_ctx(user, income_form=None, expenditure_form=None) -> dict:
    """The ledger page; a form that failed comes back bound, with what was typed.

    A manager sees every entry; alliance staff (who only propose) see the spending, without the
    forms and figures of the managers' work (income, donors, the statement)."""
    manager = manages_fund(user)
    entries = FundEntry.objects.select_related("proposed_by", "approved_by", "reverses")
    if not manager:
        entries = entries.filter(kind=FundEntry.Kind.EXPENDITURE)
    today = timezone.localdate()
    return {
        "manages": manager,
        "entries": list(
            entries.prefetch_related("reversed_by").order_by("-created_at", "-id")[:100]
        ),
        "balance": FundEntry.objects.balance(),
        # Three forms on one page: each its own element ids (the field names stay as posted).
        "income_form": income_form or FundIncomeForm(initial={"date": today}, auto_id="income_%s"),
        "expenditure_form": expenditure_form
        or FundExpenditureForm(initial={"date": today}, auto_id="spending_%s"),
        "period_form": PeriodForm(
            initial={"start": today.replace(day=1), "end": today}, auto_id="period_%s"
        ),
        "open_form": "income" if income_form else "spending" if expenditure_form else "",
    }


@login_required
@require_POST
def income(request):
    require_role(request, *MANAGER_ROLES)
    form = FundIncomeForm(request.POST, request.FILES, auto_id="income_%s")
    if form.is_valid():
        try:
            services.record_income(by=request.user, **form.cleaned_data)
        except services.FundError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Income posted to the fund."))
    else:
        messages.error(request, _form_errors(form))
        ctx = _manage_ctx(request.user, income_form=form)
        return render(request, "fund/fund_manage.html", ctx, status=400)
    return redirect("fund:manage")


@login_required
@require_POST
def propose(request):
    require_role(request, *PROPOSER_ROLES)
    form = FundExpenditureForm(request.POST, request.FILES, auto_id="spending_%s")
    if form.is_valid():
        try:
            services.propose_spending(by=request.user, **form.cleaned_data)
        except services.FundError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Spending proposed; a colleague must approve it."))
    else:
        messages.error(request, _form_errors(form))
        ctx = _manage_ctx(request.user, expenditure_form=form)
        return render(request, "fund/fund_manage.html", ctx, status=400)
    return redirect("fund:manage")


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''} {' '.join(errs)}".strip()
        for f, errs in form.errors.items()
    )


ACTIONS = {
    "approve": services.approve_expenditure,
    "reject": services.reject_expenditure,
    "pay": services.pay_expenditure,
}


@login_required
@require_POST
def action(request, pk, action):
    require_role(request, *MANAGER_ROLES)
    entry = get_object_or_404(FundEntry, pk=pk)
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](entry, by=request.user)
    except services.FundError as e:
        messages.error(request, str(e))
    else:
        done = {
            "approve": _("Spending approved."),
            "reject": _("Spending rejected."),
            "pay": _("Payment recorded."),
        }[action]
        messages.success(request, done)
    return redirect("fund:manage")


@login_required
@require_POST
def reverse_entry(request, pk):
    require_role(request, *MANAGER_ROLES)
    entry = get_object_or_404(FundEntry, pk=pk)
    form = ReverseForm(request.POST)
    try:
        if not form.is_valid():
            raise services.FundError(_("Give the reason for the correction."))
        services.reverse_entry(entry, by=request.user, reason=form.cleaned_data["reason"])
    except services.FundError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Correction posted."))
    return redirect("fund:manage")


@login_required
def statement(request, fmt):
    """Every entry of a period, with the opening and closing balance; CSV or Excel."""
    require_role(request, *MANAGER_ROLES)
    form = PeriodForm(request.GET)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not form.is_valid():
        messages.error(request, _form_errors(form) or _("Choose a period."))
        return redirect("fund:manage")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    header, data = stats.fund_statement(start, end)
    kinds = {0: exports.DATE, 5: exports.MONEY, 6: exports.MONEY}
    columns = [exports.Column(h, kinds.get(i, exports.TEXT)) for i, h in enumerate(header)]
    # The net movement of the period (closing less opening balance): proposals and rejected
    # spending are listed but move nothing, so the amounts' total is not their plain sum.
    net = data[-1][6] - data[0][6]
    table = exports.Table(_("Micro-fund statement"), columns, data, totals={5: net})
    heading = exports.heading(
        request, _("Micro-fund statement"), period=exports.date_period(start, end)
    )
    return exports.download(table, fmt, f"micro-fund-{start:%Y%m%d}-{end:%Y%m%d}", heading)


# The fund's pages were under /classes/fund/ when the fund was the classroom's: old links and
# bookmarks move for good (301). A form posted to an old address is sent on with its method and
# body (308), so a page left open across the upgrade still works.


def moved(request, rest=""):
    """/classes/fund/<rest> → /fund/<rest>, permanently, with the query string."""
    url = reverse("fund:index") + rest
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    response = HttpResponsePermanentRedirect(url)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response
