"""This module's part of `manage.py seed_demo` (see portal's seed_demo command)."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone

from canteen import services
from canteen.models import (
    Booking,
    Category,
    Collector,
    Dish,
    Funder,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    MealSlot,
    Menu,
    ResidentCategory,
    SubsidyRule,
    week_start,
)
from portal import services as portal_services
from portal.models import User

# name, description, balance, soft, low salt, low sugar, allergens, colour of the demo photo
# The community's default elders' subsidy rule: 4 yuan a meal from 60 (DOMAIN).
ELDER_AGE = 60

# The dishes' English names, shown on English pages (portal.lib.localized).
DISH_ENGLISH = {
    "红烧肉": "Red-braised pork",
    "清蒸鲈鱼": "Steamed sea bass",
    "肉末蒸蛋": "Steamed egg with minced pork",
    "番茄炒蛋": "Tomato and scrambled egg",
    "清炒时蔬": "Stir-fried greens",
    "麻婆豆腐": "Mapo tofu",
    "土豆烧鸡块": "Chicken and potato stew",
    "冬瓜排骨汤": "Winter melon and pork rib soup",
    "杂粮米饭": "Mixed-grain rice",
    "南瓜小米粥": "Pumpkin and millet porridge",
}

DISHES = [
    ("红烧肉", "肥瘦相间，小火慢炖", "meat", False, False, False, "", (150, 60, 30)),
    ("清蒸鲈鱼", "鲜嫩少刺", "meat", True, True, True, "fish", (220, 220, 200)),
    ("肉末蒸蛋", "嫩滑好咽", "mixed", True, True, True, "egg", (250, 210, 90)),
    ("番茄炒蛋", "酸甜开胃", "mixed", True, False, False, "egg", (230, 80, 50)),
    ("清炒时蔬", "当季青菜", "vegetable", False, True, True, "", (70, 160, 60)),
    ("麻婆豆腐", "微辣，软嫩", "mixed", True, False, True, "soy", (200, 90, 40)),
    ("土豆烧鸡块", "土豆软糯", "meat", False, False, True, "", (200, 150, 70)),
    ("冬瓜排骨汤", "清淡滋补", "soup", False, True, True, "", (230, 230, 210)),
    ("杂粮米饭", "大米小米糙米", "staple", False, True, True, "", (240, 235, 215)),
    ("南瓜小米粥", "软糯香甜，无添加糖", "staple", True, True, True, "", (240, 170, 50)),
]

# (lunch dishes, dinner dishes, lunch price, dinner price) by weekday, Monday first
WEEK = [
    (["红烧肉", "清炒时蔬", "杂粮米饭"], ["肉末蒸蛋", "南瓜小米粥"], "15.00", "12.00"),
    (["清蒸鲈鱼", "清炒时蔬", "杂粮米饭"], ["番茄炒蛋", "南瓜小米粥"], "16.00", "12.00"),
    (["土豆烧鸡块", "冬瓜排骨汤", "杂粮米饭"], ["麻婆豆腐", "南瓜小米粥"], "14.00", "12.00"),
    (["麻婆豆腐", "番茄炒蛋", "杂粮米饭"], ["肉末蒸蛋", "清炒时蔬"], "13.00", "12.00"),
    (["红烧肉", "冬瓜排骨汤", "杂粮米饭"], ["清蒸鲈鱼", "南瓜小米粥"], "15.00", "13.00"),
    (["土豆烧鸡块", "清炒时蔬", "杂粮米饭"], ["番茄炒蛋", "南瓜小米粥"], "14.00", "12.00"),
    (["清蒸鲈鱼", "肉末蒸蛋", "杂粮米饭"], ["麻婆豆腐", "冬瓜排骨汤"], "16.00", "13.00"),
]

RECIPIENTS = [
    ("独居王伯", "empty_nest", ("12", "1", "101"), "028-8888 1201", 1, "耳背，请多敲门；不吃辣"),
    ("空巢陈奶奶", "empty_nest", ("3", "2", "402"), "", 1, "行动不便，送到门口"),
    ("困难户李家", "difficulty", ("7", "1", "502"), "138 0000 7502", 3, "三口人；孩子放学后在家"),
    ("独居赵爷爷", "empty_nest", ("9", "3", "201"), "", 1, "糖尿病，选低糖菜品"),
]


def _photo(colour) -> ContentFile:
    """A plain demo photo: a plate of the dish's colour (no network, no stock images)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), (245, 240, 232))
    draw = ImageDraw.Draw(img)
    draw.ellipse((60, 20, 420, 340), fill=(255, 255, 255), outline=(210, 200, 190), width=6)
    draw.ellipse((120, 80, 360, 280), fill=colour)
    out = BytesIO()
    img.save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name="dish.jpg")


def _dishes() -> dict[str, Dish]:
    dishes = {}
    for name, desc, balance, soft, salt, sugar, allergens, colour in DISHES:
        dish = Dish.objects.filter(name=name).first()
        if dish is None:
            dish = Dish(
                name=name,
                description=desc,
                balance=balance,
                is_soft=soft,
                is_low_salt=salt,
                is_low_sugar=sugar,
                allergens=allergens,
                name_en=DISH_ENGLISH.get(name, ""),
            )
            dish.photo.save(f"{name}.jpg", _photo(colour), save=False)
            dish.save()
        if not dish.name_en and name in DISH_ENGLISH:
            dish.name_en = DISH_ENGLISH[name]
            dish.save(update_fields=["name_en"])
        dishes[name] = dish
    return dishes


def _menus(dishes, first: date, last: date, *, published: bool) -> int:
    lunch = MealSlot.objects.get_or_create(name="午餐", defaults={"order": 1})[0]
    dinner = MealSlot.objects.get_or_create(
        name="晚餐", defaults={"order": 2, "serves_at": "17:30", "booking_cutoff": "15:00"}
    )[0]
    for slot, english in ((lunch, "Lunch"), (dinner, "Dinner")):
        if not slot.name_en:
            slot.name_en = english
            slot.save(update_fields=["name_en"])
    made = 0
    day = first
    while day <= last:
        lunch_dishes, dinner_dishes, lunch_price, dinner_price = WEEK[day.weekday()]
        for slot, names, price in (
            (lunch, lunch_dishes, lunch_price),
            (dinner, dinner_dishes, dinner_price),
        ):
            menu, created = Menu.objects.get_or_create(
                day=day,
                slot=slot,
                defaults={
                    "price": Decimal(price),
                    "portion_limit": 60 if slot == lunch else 40,
                    "is_published": published,
                    "published_at": timezone.now() if published else None,
                },
            )
            if created:
                menu.dishes.set([dishes[n] for n in names])
                made += 1
        day += timedelta(days=1)
    return made


def _elder(mobile, name, born, address) -> User:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(username=f"demo-canteen-{mobile}", mobile=mobile)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        portal_services.register_resident(user, real_name=name, birth_date=born)
        b, u, r = address
        portal_services.save_profile(
            user, real_name=name, birth_date=born, building=b, unit=u, room=r
        )
    return user


def seed(command, community, people):
    """Create demo data for the module; idempotent. Returns lines to print."""
    today = timezone.localdate()
    dishes = _dishes()
    this_week = week_start(today)
    # Five weeks back (meals served), this week and next published; the week after a draft.
    past = _menus(
        dishes, this_week - timedelta(days=35), this_week + timedelta(days=13), published=True
    )
    drafts = _menus(
        dishes, this_week + timedelta(days=14), this_week + timedelta(days=20), published=False
    )

    SubsidyRule.objects.get_or_create(
        min_age=ELDER_AGE,
        category="",
        defaults={
            "name": f"{ELDER_AGE}周岁以上老人就餐补贴",
            "valid_from": date(2020, 1, 1),
            "amount": Decimal("4.00"),
            "funder": Funder.GOVERNMENT,
        },
    )
    SubsidyRule.objects.get_or_create(
        name="低保对象就餐补贴",
        defaults={
            "valid_from": date(2024, 1, 1),
            "category": Category.LOW_INCOME,
            "amount": Decimal("6.00"),
            "funder": Funder.COMMUNITY,
        },
    )

    elder = people["elder"]
    # Turns 60 on the 20th of this month: her meals before it are full price, after it subsidised.
    turning = today.replace(day=20, year=today.year - ELDER_AGE)
    others = [
        _elder("13800000511", "孙爷爷", date(1946, 8, 3), ("8", "1", "301")),
        _elder("13800000512", "周阿姨", turning, ("8", "2", "502")),
        _elder("13800000513", "钱叔叔", date(today.year - 59, 1, 9), ("10", "1", "102")),
    ]
    ResidentCategory.objects.get_or_create(
        member=others[0].member,
        category=Category.LOW_INCOME,
        defaults={"valid_from": date(2024, 1, 1), "note": "民政认定"},
    )
    Collector.objects.get_or_create(
        member=elder.member, name="刘女儿", defaults={"relation": "女儿", "mobile": "13800000521"}
    )
    daughter = Collector.objects.get(member=elder.member, name="刘女儿")

    # Meals served on the weekdays of the last four weeks (lunch), recorded at the counter.
    staff = people["canteen_staff"]
    served = 0
    lunches = Menu.objects.filter(
        slot__name="午餐", day__gte=today - timedelta(days=28), day__lt=today, is_published=True
    ).select_related("slot")
    done = set(
        MealRecord.objects.filter(day__gte=today - timedelta(days=28)).values_list(
            "member_id", "day", "slot_id"
        )
    )
    for menu in lunches:
        if menu.day.weekday() >= 5 or services.is_month_closed(menu.day):
            continue
        for person in [elder, *others]:
            if (person.member.pk, menu.day, menu.slot_id) in done:
                continue
            if person == others[2] and menu.day.weekday() % 2:
                continue  # 钱叔叔 comes every other day
            if person == others[0] and menu.day > today - timedelta(days=9):
                continue  # 孙爷爷 has stopped coming: he is on the staff's "check on" list
            collector = daughter if person == elder and menu.day.weekday() == 2 else None
            services.record_meal(menu, person.member, by=staff, collector=collector)
            served += 1

    # The elder's lunches for the rest of this week and on Mon/Wed/Fri next week.
    booked = 0
    now = timezone.now()
    for menu in Menu.objects.filter(
        slot__name="午餐",
        is_published=True,
        day__gte=today,
        day__lte=this_week + timedelta(days=13),
    ).select_related("slot"):
        if menu.day >= this_week + timedelta(days=7) and menu.day.weekday() not in (0, 2, 4):
            continue
        if (
            menu.cutoff() > now
            and not Booking.objects.filter(
                menu=menu, member=elder.member, status=Booking.Status.BOOKED
            ).exists()
        ):
            services.book(menu, elder.member, by=elder)
            booked += 1

    for name, kind, (b, u, r), phone, portions, notes in RECIPIENTS:
        LoveMealRecipient.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "building": b,
                "unit": u,
                "room": r,
                "phone": phone,
                "portions": portions,
                "notes": notes,
            },
        )
    love_day = services.next_love_meal_day(today)
    generated = services.generate_love_meals(love_day, by=staff)
    volunteer = people["volunteer"]
    if not LoveMealDelivery.objects.filter(day=love_day, volunteer__isnull=False).exists():
        for delivery in LoveMealDelivery.objects.filter(day=love_day)[:2]:
            services.assign_delivery(delivery, volunteer)

    return [
        f"canteen: {len(dishes)} dishes, {past} published and {drafts} draft menus new",
        f"canteen: {served} meals recorded, {booked} bookings for {elder.real_name}",
        f"canteen: {len(RECIPIENTS)} love-meal recipients, {generated} deliveries on {love_day}",
    ]
