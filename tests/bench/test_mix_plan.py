"""bench.mix builds its wrk scripts and its read plan without a server or a database."""

import re

from bench import fixtures, mix


def _pages():
    return [
        fixtures.Page("ceiling", "ceiling (bare view)", "/bench/ceiling/", None, "ceiling"),
        fixtures.Page("home", "home (resident)", "/", "volunteer", "resident"),
        fixtures.Page("home_anon", "home (anonymous)", "/", None, "public"),
        fixtures.Page("programme", "festival programme", "/events/5/", None, "public"),
        fixtures.Page(
            "day_posts",
            "service day's posts",
            "/volunteers/days/2026-12-10/",
            "volunteer",
            "resident",
        ),
        fixtures.Page(
            "schedule", "my schedule", "/volunteers/me/schedule/", "volunteer", "resident"
        ),
        fixtures.Page("hours", "my hours", "/volunteers/me/hours/", "volunteer", "resident"),
        fixtures.Page("menu", "menu of the week", "/canteen/", None, "public"),
        fixtures.Page("courses", "course list", "/classes/", None, "public"),
        fixtures.Page(
            "my_classes", "my children's classes", "/classes/mine/", "parent", "resident"
        ),
        fixtures.Page("fund", "fund (public)", "/classes/fund/", None, "public"),
        fixtures.Page("elder_home", "home (elder)", "/", "elder", "resident"),
        fixtures.Page("elder_menu", "menu and booking (elder)", "/canteen/", "elder", "resident"),
        fixtures.Page("elder_meals", "my meals (elder)", "/canteen/me/", "elder", "resident"),
    ]


def test_the_plan_rotates_resident_pages_over_their_residents_and_keeps_visitors_anonymous():
    cookies = {
        "volunteer": [f"sessionid=v{i}; csrftoken={'x' * 32}" for i in range(3)],
        "parent": ["sessionid=p0; csrftoken=" + "y" * 32],
        "elder": ["sessionid=e0; csrftoken=" + "z" * 32, "sessionid=e1; csrftoken=" + "z" * 32],
    }

    plan = {p["key"]: p for p in mix.read_plan(_pages(), cookies)}

    assert set(plan) == {key for key, _c, _w in mix.READS}
    assert plan["home_anon"]["targets"] == [("/", "")] and plan["home_anon"]["public"]
    assert plan["day_posts_anon"]["url"] == "/volunteers/days/2026-12-10/"
    assert plan["day_posts_anon"]["targets"] == [("/volunteers/days/2026-12-10/", "")]
    assert [c for _u, c in plan["schedule"]["targets"]] == cookies["volunteer"]
    assert len(plan["elder_meals"]["targets"]) == 2 and not plan["elder_meals"]["public"]


def test_the_wrk_script_lists_every_target_and_counts_cache_answers():
    script = mix.lua_script([("/", ""), ('/a"b/', "sessionid=k; csrftoken=t")], seed=7)

    assert '{"/", ""}' in script
    assert '{"/a\\"b/", "sessionid=k; csrftoken=t"}' in script  # quotes escaped for Lua
    assert "math.randomseed(os.time() + 7)" in script
    for answer in ("hit", "miss", "resident-hit", "resident-miss"):
        assert f'"{answer}"' in script
    # what the report parses
    assert re.search(r"WRKJSON \{.*\"hits\": %d, \"misses\": %d\}", script, re.S)
    assert "%%" not in script  # every format escape was resolved


def test_readers_think_between_pages_unless_told_to_read_flat_out():
    assert "* 250)" in mix.lua_script([("/", "")], think_ms=250)
    assert "if 0 <= 0 then return 0 end" in mix.lua_script([("/", "")], think_ms=0)
