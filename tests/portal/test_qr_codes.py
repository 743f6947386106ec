"""Every QR code the portal serves decodes to what it says, with the 4-module quiet zone.

The SVG the page actually serves is cut out of the HTML, rasterised (cairosvg) and decoded by
an independent reader (zxing-cpp). The quiet zone is measured on the raster: the white margin
left of the first dark pixel, in modules.
"""

import re

import pytest
from django.urls import reverse

from portal.lib.qr import QUIET_ZONE, qr_svg
from tests.portal.test_permission_matrix import _world

cairosvg = pytest.importorskip("cairosvg", reason="cairosvg (test extra) rasterises the SVG")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (test extra) decodes the codes")
from PIL import Image  # noqa: E402

pytestmark = pytest.mark.django_db

SVG = re.compile(r"<svg[^>]*class=\"segno\"[^>]*>.*?</svg>", re.S)
PX = 8  # raster pixels per module


def modules_across(svg: str) -> int:
    """The symbol's width in modules, quiet zone included (segno's white background path)."""
    return int(re.search(r'<path fill="#fff" d="M0 0h(\d+)', svg).group(1))


def decode(svg: str) -> tuple[str, float]:
    """(the decoded text, the quiet zone in modules) of one served SVG."""
    import io

    n = modules_across(svg)
    png = cairosvg.svg2png(
        bytestring=svg.encode(), output_width=n * PX, output_height=n * PX, background_color="white"
    )
    image = Image.open(io.BytesIO(png)).convert("L")
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "one readable code"
    dark = [
        x for x in range(image.width) for y in range(image.height) if image.getpixel((x, y)) < 128
    ]
    return results[0].text, min(dark) / PX


def served_codes(html: str) -> list[str]:
    codes = SVG.findall(html)
    for svg in codes:
        # an accessible name for screen readers
        assert 'role="img"' in svg and "aria-label=" in svg and "<title>" in svg
    return codes


@pytest.fixture
def world(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    return _world()


def test_every_served_qr_code_decodes_with_a_four_module_quiet_zone(client, world):
    people, args, _reg = world
    pages = [
        ("resident", reverse("canteen:card"), "/canteen/"),
        ("team_leader", reverse("volunteers:roster", kwargs=args["volunteers:roster"]), "/check"),
        (
            "team_leader",
            reverse("volunteers:roster", kwargs=args["volunteers:roster"]) + "?print=1",
            "/check",
        ),
        ("resident", reverse("events:ticket", kwargs=args["events:ticket"]), "/ticket"),
        (
            "resident",
            reverse("events:ticket", kwargs=args["events:ticket"]) + "?download=1",
            "/ticket",
        ),
    ]
    seen = 0
    for role, url, expect in pages:
        client.force_login(people[role])
        response = client.get(url)
        assert response.status_code == 200, url
        codes = served_codes(response.content.decode())
        assert codes, f"no QR code on {url}"
        for svg in codes:
            text, quiet = decode(svg)
            assert text.startswith("http://testserver/") and expect in text, (url, text)
            assert quiet == QUIET_ZONE, (url, quiet)
            seen += 1
    assert seen >= 5


def test_the_printable_roster_carries_the_check_in_code_it_refers_to(client, world):
    people, args, _reg = world
    client.force_login(people["team_leader"])
    url = reverse("volunteers:roster", kwargs=args["volunteers:roster"])
    page = client.get(url + "?print=1").content.decode()
    (svg,) = served_codes(page)
    text, _quiet = decode(svg)
    from volunteers.models import Post

    post = Post.objects.get(pk=args["volunteers:roster"]["pk"])
    assert text == "http://testserver" + reverse("volunteers:checkin", args=[post.checkin_token])
    assert 'data-testid="print-qr"' in page


def test_the_helper_names_the_code_and_escapes_the_name():
    svg = qr_svg("https://example.org/x", label='A "code" <b>')
    assert 'aria-label="A &quot;code&quot; &lt;b&gt;"' in svg
    text, quiet = decode(svg)
    assert text == "https://example.org/x" and quiet == 4
