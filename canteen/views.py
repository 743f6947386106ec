from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canteen import cards, reports, services
from canteen.access import (
    get_delivery_for_volunteer,
    get_my_booking,
    get_my_collector,
    get_receipt,
    is_canteen_staff,
    is_staff_request,
    my_deliveries_q,
)
from canteen.forms import (
    AssignDeliveryForm,
    BookForm,
    CollectorForm,
    CounterCollectorForm,
    CounterSearchForm,
    LoveMealDayForm,
    MealLookupForm,
    MenuForm,
    MonthForm,
    PhoneBookingForm,
    RecordMealForm,
    ReverseMealForm,
)
from canteen.models import (
    Booking,
    ClosedMonth,
    Collector,
    Funder,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    Menu,
    ResidentCategory,
    SubsidyRule,
    first_of_month,
    week_start,
)
from portal import exports, roles
from portal.access import my_household_members, require_role
from portal.cache import cached, public_page, resident_page
from portal.lib import params
from portal.lib.dates import day_in_words
from portal.models import HouseholdMember, User
from portal.validators import normalize_mobile


def _parse_day(text, default: date) -> date:
    """A date from the query string or a form; BadParameter (a 400 page) if unreadable."""
    return params.parse_date(text, default)


def _parse_month(text, default: date) -> date:
    return params.parse_month(text, default)


def _rules_between(start: date, end: date):
    """Rules valid at any time in [start, end], loaded once for pricing many meals."""
    return list(
        SubsidyRule.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start), valid_from__lte=end
        )
    )


def _categories_by_member(member_ids) -> dict[int, list]:
    rows = {}
    for row in ResidentCategory.objects.filter(member_id__in=member_ids):
        rows.setdefault(row.member_id, []).append(row)
    return rows


# ---------------------------------------------------------------- residents


def _dish_lists(menus, first_day: date, end: date) -> dict:
    """Each menu's list of dishes as HTML: the same for everyone, so rendered once until the
    canteen's data changes (a week's menu is 14 lists of 4-6 dishes; the rest of the page is
    the visitor's own)."""

    def render_lists():
        prefetch_related_objects(menus, "dishes")
        return {
            menu.pk: render_to_string("canteen/_dish_list.html", {"dishes": menu.dishes.all()})
            for menu in menus
        }

    key = f"canteen:dishes:{get_language()}:{first_day}:{end}"
    lists = cached(key, ("canteen",), render_lists)
    if any(menu.pk not in lists for menu in menus):  # changed outside the portal: no bump
        lists = render_lists()
    return lists


@public_page("canteen", params=["day", "week"])
@resident_page("canteen")
def index(request):
    """Today's and tomorrow's menus (or one chosen day), with my price after subsidy and booking.

    A day picker leads to the other days with a published menu, up to the end of next week, so a
    phone shows one or two days at a time instead of a whole week. Visitors see the same page (no
    form, no token: a log-in link), served from the cache.
    """
    today = timezone.localdate()
    last_day = week_start(today) + timedelta(days=13)  # the end of next week
    chosen = request.GET.get("day") or request.GET.get("week")  # "week": links made before days
    if chosen:
        first_day = min(max(_parse_day(chosen, today), today), last_day)
        end = first_day
    else:
        first_day, end = today, today + timedelta(days=1)
    menus = list(
        Menu.objects.published()
        .between(first_day, end)
        .prefetch_related(None)  # the dishes come with their HTML (_dish_lists)
        .with_portions_taken()
    )
    dish_lists = _dish_lists(menus, first_day, end)

    members, bookings, me = [], {}, None
    if request.user.is_authenticated:
        members = list(my_household_members(request.user))
        me = next((m for m in members if m.user_id == request.user.pk), None)
        for booking in Booking.objects.for_members_between([m.pk for m in members], first_day, end):
            bookings.setdefault(booking.menu_id, []).append(booking)
    rules = _rules_between(first_day, end) if me else []
    my_categories = _categories_by_member([me.pk]).get(me.pk, []) if me else []
    members_by_id = {m.pk: m for m in members}

    moment = timezone.now()
    days = {}
    for menu in menus:
        entry = {
            "menu": menu,
            "dishes": dish_lists[menu.pk],
            "bookable": menu.is_bookable(moment),
            "portions_left": menu.portions_left(),
            "bookings": [(b, members_by_id.get(b.member_id)) for b in bookings.get(menu.pk, [])],
            "quote": services.quote_for(me, menu, rules=rules, categories=my_categories)
            if me
            else None,
        }
        days.setdefault(menu.day, []).append(entry)

    shown = {first_day, end}
    picker = [
        {"day": day, "words": day_in_words(day, today), "current": day in shown}
        for day in cached(
            f"canteen:menu-days:{today}",
            ("canteen",),
            lambda: list(
                Menu.objects.published().filter(day__gte=today, day__lte=last_day).menu_days()
            ),
        )
    ]
    ctx = {
        # Each day in words; "today" and "tomorrow" also say the date.
        "days": [
            (day, day_in_words(day, today), (day - today).days < 2, entries)
            for day, entries in sorted(days.items())
        ],
        "start": first_day,
        "end": end,
        "today": today,
        "picker": picker,
        "members": members,
        "canteen_staff": is_staff_request(request),
        # Reversed once here rather than on every card.
        "book_url": reverse("canteen:book"),
        "login_url": "{}?{}".format(
            resolve_url(settings.LOGIN_URL), urlencode({"next": request.get_full_path()})
        ),
    }
    return render(request, "canteen/index.html", ctx)


@login_required
@require_POST
def book(request):
    members = my_household_members(request.user)
    form = BookForm(request.POST, members=members)
    day = request.POST.get("day", "")
    target = reverse("canteen:index") + (f"?{urlencode({'day': day})}" if day else "")
    if not form.is_valid():
        messages.error(request, _("Choose a meal and a person of your household."))
        return redirect(target)
    menu, member = form.cleaned_data["menu"], form.cleaned_data["member"]
    try:
        booking = services.book(menu, member, by=request.user)
    except services.CanteenError as e:
        messages.error(request, str(e))
        return redirect(target)
    return redirect("canteen:booking", booking.pk)


@login_required
def booking_detail(request, pk):
    """A booking's confirmation: the meal, the day in words, the price, the subsidy and what to
    pay, with a one-tap cancel until the cut-off."""
    booking = get_my_booking(request, pk)
    menu = booking.menu
    prefetch_related_objects([menu], "dishes")
    today = timezone.localdate()
    ctx = {
        "booking": booking,
        "menu": menu,
        "day_words": day_in_words(menu.day, today),
        "quote": services.quote_for(booking.member, menu),
        "cancellable": booking.status == Booking.Status.BOOKED and menu.is_bookable(timezone.now()),
    }
    return render(request, "canteen/booking.html", ctx)


@login_required
@require_POST
def cancel(request, pk):
    booking = get_my_booking(request, pk)
    try:
        services.cancel_booking(booking)
    except services.CanteenError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("The booking for %(menu)s is cancelled.") % {"menu": booking.menu}
        )
    if request.POST.get("next") in ("index", "booking"):
        return redirect(f"{reverse('canteen:index')}?day={booking.menu.day.isoformat()}")
    return redirect("canteen:my-meals")


@login_required
@resident_page("canteen")
def my_meals(request):
    """My household's bookings and meals: what we ate, paid and received in subsidy this month."""
    today = timezone.localdate()
    month = _parse_month(request.GET.get("month"), first_of_month(today))
    next_month = (month + timedelta(days=32)).replace(day=1)
    members = list(my_household_members(request.user))
    ids = [m.pk for m in members]
    upcoming = list(
        Booking.objects.filter(
            member_id__in=ids, status=Booking.Status.BOOKED, menu__day__gte=today
        )
        .select_related("menu__slot", "member__user")
        .order_by("menu__day", "menu__slot__order")
    )
    moment = timezone.now()
    upcoming = [(b, moment < b.menu.cutoff()) for b in upcoming]
    records = list(
        MealRecord.objects.filter(member_id__in=ids, day__gte=month, day__lt=next_month)
        .select_related("slot")
        .prefetch_related("lines")
        .order_by("-day", "-recorded_at")
    )
    ctx = {
        "upcoming": upcoming,
        "records": records,
        "month": month,
        "previous_month": (month - timedelta(days=1)).replace(day=1),
        "next_month": next_month if next_month <= first_of_month(today) else None,
        "total_paid": sum((r.paid for r in records), 0),
        "total_subsidy": sum((r.subsidy for r in records), 0),
        "meal_count": sum(1 if r.kind == MealRecord.Kind.MEAL else -1 for r in records),
        "canteen_staff": is_staff_request(request),
    }
    return render(request, "canteen/my_meals.html", ctx)


@login_required
def card(request):
    """My canteen card: a member code and QR code for each person of my household."""
    cards_ = []
    for member in my_household_members(request.user):
        code = cards.member_code(member.pk)
        url = request.build_absolute_uri(reverse("canteen:counter") + f"?q={code}")
        cards_.append({"member": member, "code": code, "qr": cards.qr_svg(url)})
    return render(request, "canteen/card.html", {"cards": cards_})


@login_required
def collectors(request):
    """People allowed to collect meals for my household's members."""
    members = my_household_members(request.user)
    form = CollectorForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_collector(
                data["member"], name=data["name"], relation=data["relation"], mobile=data["mobile"]
            )
        except services.CanteenError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("%(name)s may now collect meals.") % {"name": data["name"]})
            return redirect("canteen:collectors")
    rows = (
        Collector.objects.filter(member__household_id=request.user.household_id, is_active=True)
        .select_related("member__user")
        .order_by("member_id", "name")
    )
    return render(request, "canteen/collectors.html", {"form": form, "collectors": rows})


@login_required
@require_POST
def collector_remove(request, pk):
    collector = get_my_collector(request, pk)
    services.remove_collector(collector)
    messages.success(request, _("%(name)s may no longer collect meals.") % {"name": collector.name})
    return redirect("canteen:collectors")


@login_required
def receipt(request, pk):
    record = get_receipt(request, pk)
    ctx = {"record": record, "canteen_staff": is_staff_request(request)}
    return render(request, "canteen/receipt.html", ctx)


# ---------------------------------------------------------------- counter (staff)


def _find_members(query: str):
    """Members matching a name, a mobile number or a member code (at most 20)."""
    qs = HouseholdMember.objects.current().select_related("user", "household")
    pk = cards.parse_member_code(query)
    if pk is not None:
        return list(qs.filter(pk=pk))
    mobile = normalize_mobile(query)
    if mobile.isdigit() and len(mobile) >= 4:
        return list(qs.filter(user__mobile__contains=mobile).order_by("pk")[:20])
    return list(
        qs.filter(Q(name__icontains=query) | Q(user__real_name__icontains=query)).order_by("pk")[
            :20
        ]
    )


@login_required
def counter(request):
    require_role(request, roles.CANTEEN_STAFF)
    form = CounterSearchForm(request.GET or None)
    results = None
    today = timezone.localdate()
    if form.is_valid():
        results = _find_members(form.cleaned_data["q"])
        if len(results) == 1 and cards.parse_member_code(form.cleaned_data["q"]):
            return redirect("canteen:counter-member", pk=results[0].pk)
        booked = {
            b.member_id: b
            for b in Booking.objects.filter(
                member__in=results, status=Booking.Status.BOOKED, menu__day=today
            ).select_related("menu__slot")
        }
        results = [(m, booked.get(m.pk), m.age_on(today)) for m in results]
    ctx = {"form": form, "results": results, "today": today, "canteen_staff": True}
    return render(request, "canteen/counter.html", ctx)


@login_required
def counter_member(request, pk):
    """One person at the counter: today's menus priced for them, their booking, record a meal."""
    require_role(request, roles.CANTEEN_STAFF)
    member = get_object_or_404(HouseholdMember.objects.select_related("user", "household"), pk=pk)
    today = timezone.localdate()
    todays = Menu.objects.published().filter(day=today).select_related("slot")
    upcoming = (
        Menu.objects.published()
        .filter(day__gte=today, day__lte=today + timedelta(days=13))
        .select_related("slot")
        .order_by("day", "slot__order")
    )
    collectors_qs = Collector.objects.filter(member=member, is_active=True)
    bookings = list(
        Booking.objects.filter(member=member, status=Booking.Status.BOOKED, menu__day__gte=today)
        .select_related("menu__slot")
        .order_by("menu__day", "menu__slot__order")
    )
    booked_today = next((b.menu_id for b in bookings if b.menu.day == today), None)
    record_form = RecordMealForm(
        menus=todays, collectors=collectors_qs, initial={"menu": booked_today}
    )
    phone_form = PhoneBookingForm(menus=upcoming, auto_id="phone_%s")
    collector_form = CounterCollectorForm(auto_id="collector_%s")

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "collector":
            collector_form = CounterCollectorForm(request.POST, auto_id="collector_%s")
            if collector_form.is_valid():
                data = collector_form.cleaned_data
                try:
                    services.add_collector(
                        member, name=data["name"], relation=data["relation"], mobile=data["mobile"]
                    )
                except services.CanteenError as e:
                    collector_form.add_error("name", str(e))
                else:
                    messages.success(
                        request,
                        _("%(collector)s may now collect meals for %(name)s.")
                        % {"collector": data["name"], "name": member.full_name},
                    )
                    return redirect("canteen:counter-member", pk=member.pk)
        elif action == "record":
            record_form = RecordMealForm(request.POST, menus=todays, collectors=collectors_qs)
            if record_form.is_valid():
                try:
                    record = services.record_meal(
                        record_form.cleaned_data["menu"],
                        member,
                        by=request.user,
                        collector=record_form.cleaned_data["collector"],
                    )
                except services.CanteenError as e:
                    messages.error(request, str(e))
                else:
                    messages.success(
                        request,
                        _("Meal recorded: %(name)s pays %(paid)s yuan.")
                        % {"name": member.full_name, "paid": record.paid},
                    )
                    return redirect(record)
        elif action == "book":
            phone_form = PhoneBookingForm(request.POST, menus=upcoming, auto_id="phone_%s")
            if phone_form.is_valid():
                menu = phone_form.cleaned_data["menu"]
                try:
                    services.book(menu, member, by=request.user, channel=Booking.Channel.PHONE)
                except services.CanteenError as e:
                    messages.error(request, str(e))
                else:
                    messages.success(
                        request,
                        _("Booked %(menu)s for %(name)s.")
                        % {"menu": menu, "name": member.full_name},
                    )
                    return redirect("canteen:counter-member", pk=member.pk)
        else:
            messages.error(request, _("Unknown action."))

    rules = list(SubsidyRule.objects.valid_on(today))
    categories = list(ResidentCategory.objects.filter(member=member))
    menus = [
        (menu, services.quote_for(member, menu, rules=rules, categories=categories))
        for menu in todays
    ]
    lookup = MealLookupForm(request.GET or None)
    day = lookup.cleaned_data["day"] if lookup.is_valid() else None
    records = _meals_to_correct(member, day, today)
    ctx = {
        "member": member,
        "code": cards.member_code(member.pk),
        "age": member.age_on(today),
        "today": today,
        "menus": menus,
        "categories": [c for c in categories if c.held_on(today)],
        "bookings": bookings,
        "records": records,
        "lookup_form": lookup,
        "looked_up_day": day,
        "collectors": list(collectors_qs),
        "record_form": record_form,
        "phone_form": phone_form,
        "collector_form": collector_form,
    }
    return render(request, "canteen/counter_member.html", ctx)


# A person's meals listed at the counter, newest first: enough for a month of two meals a day.
MEALS_LISTED = 100


def _meals_to_correct(member, day: date | None, today: date) -> list:
    """The person's meal records of `day`, or else of the months still open (this month, and
    last month until it is closed): what staff may need to find and reverse."""
    records = MealRecord.objects.filter(member=member).select_related("slot", "reversed_by")
    if day is not None:
        records = records.filter(day=day)
    else:
        this_month = first_of_month(today)
        last_month = first_of_month(this_month - timedelta(days=1))
        closed = ClosedMonth.objects.filter(month=last_month).values("month")
        records = records.filter(month__in=[this_month, last_month]).exclude(month__in=closed)
    return list(records.order_by("-day", "-slot__order", "-recorded_at")[:MEALS_LISTED])


@login_required
@require_POST
def reverse_meal(request, pk):
    require_role(request, roles.CANTEEN_STAFF)
    record = get_object_or_404(MealRecord, pk=pk)
    form = ReverseMealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the correction."))
        return redirect("canteen:counter-member", pk=record.member_id)
    try:
        reversal = services.reverse_meal(
            record, reason=form.cleaned_data["reason"], by=request.user
        )
    except services.CanteenError as e:
        messages.error(request, str(e))
        return redirect("canteen:counter-member", pk=record.member_id)
    messages.success(request, _("The meal was reversed."))
    return redirect(reversal)


# ---------------------------------------------------------------- planning and reports (staff)


@login_required
def week_plan(request):
    """Staff: the week's menus (drafts and published), portions booked; copy last week, publish."""
    require_role(request, roles.CANTEEN_STAFF)
    today = timezone.localdate()
    start = week_start(_parse_day(request.GET.get("week") or request.POST.get("week"), today))
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "copy":
                n = services.copy_last_week(start)
                messages.success(request, _("%(n)s menus copied from last week.") % {"n": n})
            elif action == "publish":
                n = services.publish_week(start)
                messages.success(request, _("%(n)s menus published.") % {"n": n})
            else:
                messages.error(request, _("Unknown action."))
        except services.CanteenError as e:
            messages.error(request, str(e))
        return redirect(f"{reverse('canteen:week-plan')}?week={start.isoformat()}")
    menus = list(Menu.objects.between(start, start + timedelta(days=6)).with_portions_taken())
    ctx = {
        "canteen_staff": True,
        "menus": menus,
        "start": start,
        "end": start + timedelta(days=6),
        "previous_week": start - timedelta(days=7),
        "next_week": start + timedelta(days=7),
    }
    return render(request, "canteen/week_plan.html", ctx)


@login_required
def menu_edit(request, pk=None):
    """Staff: plan or change one menu on a phone or tablet (the admin offers the same)."""
    require_role(request, roles.CANTEEN_STAFF)
    menu = get_object_or_404(Menu, pk=pk) if pk else None
    initial = {"day": _parse_day(request.GET.get("day"), None)} if menu is None else None
    form = MenuForm(request.POST or None, instance=menu, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # kept in the menu's history, naming the user (simple_history)
            saved = services.save_menu(form.save(commit=False), dishes=form.cleaned_data["dishes"])
        except ValidationError as refusal:  # a booking landed after the form's check
            form.add_error(None, refusal)
        else:
            messages.success(request, _("The menu for %(menu)s was saved.") % {"menu": saved})
            return redirect(f"{reverse('canteen:week-plan')}?week={saved.day.isoformat()}")
    return render(request, "canteen/menu_form.html", {"form": form, "menu": menu})


@login_required
def settlement(request):
    """Staff: the month's subsidised meals, totals per funder, love meals apart; close; export."""
    require_role(request, roles.CANTEEN_STAFF)
    today = timezone.localdate()
    month = _parse_month(request.GET.get("month"), first_of_month(today))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        funder = request.GET.get("funder") or None
        if funder is not None and funder not in Funder.values:
            raise params.BadParameter()
        by = exports.made_by(request.user)
        content, content_type = reports.export(month, fmt, funder=funder, by=by)
        response = HttpResponse(content, content_type=content_type)
        name = f"canteen-settlement-{month:%Y-%m}{'-' + funder if funder else ''}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    closed = ClosedMonth.objects.filter(month=month).first()
    summary = reports.month_summary(month, closed)
    paginator = Paginator(reports.subsidised_records(month), 100)
    paginator.count = summary["rows"]  # counted with the totals: no query of its own
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = reports.with_lines(page.object_list)
    ctx = {
        "canteen_staff": True,
        "month": month,
        "summary": summary,
        "per_day": reports.meals_per_day_and_slot(month),
        "page": page,
        "month_form": MonthForm(initial={"month": month}),
        "is_closed": closed is not None,
        "can_close": month < first_of_month(today),
        "previous_month": (month - timedelta(days=1)).replace(day=1),
        "next_month": (month + timedelta(days=32)).replace(day=1),
    }
    return render(request, "canteen/settlement.html", ctx)


@login_required
@require_POST
def close_month(request):
    require_role(request, roles.CANTEEN_STAFF)
    month = _parse_month(request.POST.get("month"), None)
    if month is None:
        messages.error(request, _("Choose a month."))
        return redirect("canteen:settlement")
    try:
        services.close_month(month, by=request.user)
    except services.CanteenError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("%(month)s is closed.") % {"month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('canteen:settlement')}?month={month:%Y-%m}")


@login_required
def check_on(request):
    """Staff: regular elders who have stopped coming (a phone call may matter more than a meal)."""
    require_role(request, roles.CANTEEN_STAFF)
    from canteen.models import CanteenSettings

    ctx = {
        "canteen_staff": True,
        "rows": reports.check_on_list(timezone.localdate()),
        "knobs": CanteenSettings.current(),
    }
    return render(request, "canteen/check_on.html", ctx)


# ---------------------------------------------------------------- love meals


def _volunteers():
    return (
        User.objects.filter(groups__name__in=[roles.VOLUNTEER, roles.TEAM_LEADER], is_active=True)
        .distinct()
        .order_by("real_name")
    )


@login_required
def love_meals(request):
    """Staff: the Love Meal Day: generate the free meals, assign volunteers, see what is left."""
    require_role(request, roles.CANTEEN_STAFF)
    today = timezone.localdate()
    day = _parse_day(request.GET.get("day") or request.POST.get("day"), None)
    if day is None:
        day = services.next_love_meal_day(today)
    if request.method == "POST":
        try:
            n = services.generate_love_meals(day, by=request.user)
        except services.CanteenError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("%(n)s free meals generated.") % {"n": n})
        return redirect(f"{reverse('canteen:love-meals')}?day={day.isoformat()}")
    deliveries = list(
        LoveMealDelivery.objects.filter(day=day).select_related("recipient", "volunteer")
    )
    deliveries.sort(key=lambda d: d.recipient.building_sort_key)
    taken = services.post_volunteers([d.volunteer_post_id for d in deliveries])
    for d in deliveries:
        d.deliverer = services.delivery_volunteer(d, taken)
    volunteers = _volunteers()
    ctx = {
        "canteen_staff": True,
        "day": day,
        "day_form": LoveMealDayForm(initial={"day": day}),
        "deliveries": [
            (
                d,
                # one form per row: ids of its own, or the page repeats `id_volunteer`
                AssignDeliveryForm(
                    volunteers=volunteers,
                    initial={"volunteer": d.volunteer_id},
                    auto_id=f"delivery{d.pk}_%s",
                ),
            )
            for d in deliveries
        ],
        "delivered": sum(1 for d in deliveries if d.delivered_at),
        "outstanding": sum(1 for d in deliveries if not d.delivered_at),
        "recipient_count": LoveMealRecipient.objects.filter(is_active=True).count(),
    }
    return render(request, "canteen/love_meals.html", ctx)


@login_required
@require_POST
def assign_delivery(request, pk):
    require_role(request, roles.CANTEEN_STAFF)
    delivery = get_object_or_404(LoveMealDelivery, pk=pk)
    form = AssignDeliveryForm(request.POST, volunteers=_volunteers())
    if form.is_valid():
        try:
            services.assign_delivery(delivery, form.cleaned_data["volunteer"])
        except services.CanteenError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The delivery was assigned."))
    else:
        messages.error(request, _("Choose a volunteer."))
    return redirect(f"{reverse('canteen:love-meals')}?day={delivery.day.isoformat()}")


@login_required
def route_sheet(request, day):
    """Staff: printable route sheets, one per volunteer, ordered by building."""
    require_role(request, roles.CANTEEN_STAFF)
    day = _parse_day(day, None)
    if day is None:
        return redirect("canteen:love-meals")
    deliveries = list(
        LoveMealDelivery.objects.filter(day=day).select_related("recipient", "volunteer")
    )
    taken = services.post_volunteers([d.volunteer_post_id for d in deliveries])
    sheets = {}
    for d in sorted(deliveries, key=lambda d: d.recipient.building_sort_key):
        sheets.setdefault(services.delivery_volunteer(d, taken), []).append(d)
    ctx = {
        "day": day,
        "sheets": sorted(
            sheets.items(), key=lambda kv: (kv[0] is None, kv[0].display_name if kv[0] else "")
        ),
    }
    return render(request, "canteen/route_sheet.html", ctx)


@login_required
def my_deliveries(request):
    """A volunteer's Love Meal deliveries, with the addresses they need, to mark delivered."""
    today = timezone.localdate()
    deliveries = list(
        LoveMealDelivery.objects.filter(
            my_deliveries_q(request.user),
            day__gte=today - timedelta(days=1),
        )
        .select_related("recipient")
        .order_by("day")
    )
    deliveries.sort(key=lambda d: (d.day, d.recipient.building_sort_key))
    return render(request, "canteen/my_deliveries.html", {"deliveries": deliveries})


@login_required
@require_POST
def mark_delivered(request, pk):
    delivery = get_delivery_for_volunteer(request, pk)
    try:
        services.mark_delivered(delivery)
    except services.CanteenError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("Delivered to %(name)s. Thank you!") % {"name": delivery.recipient.name}
        )
    if is_canteen_staff(request.user) and request.POST.get("next") == "staff":
        return redirect(f"{reverse('canteen:love-meals')}?day={delivery.day.isoformat()}")
    return redirect("canteen:my-deliveries")
