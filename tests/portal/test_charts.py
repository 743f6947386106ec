"""The server-drawn SVG bar charts (portal.lib.charts)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template import engines

from portal.lib.charts import MAX_LABEL_CHARS, VALUE_ROOM, WIDTH, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _bars(svg):
    root = ET.fromstring(str(svg))
    return [
        float(rect.get("width"))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("class") == "bar-chart-bar"
    ]


def test_bars_are_scaled_to_the_largest_value_and_keep_room_for_their_value():
    svg = bar_chart([Bar("一号楼", 10), Bar("二号楼", 5), Bar("三号楼", 0)], title="各楼")
    widths = _bars(svg)
    span = WIDTH - VALUE_ROOM
    assert widths == [span, span / 2, 0]


def test_a_fixed_maximum_scales_percentages_and_caps_overflow():
    svg = bar_chart([Bar("满意", 40, "40%"), Bar("超出", 150)], title="满意度", max_value=100)
    span = WIDTH - VALUE_ROOM
    assert _bars(svg) == [round(span * 0.4, 1), span]
    assert "40%" in svg


def test_every_text_is_escaped_and_the_result_is_well_formed_svg():
    hostile = '<script>alert(1)</script>&"'
    svg = bar_chart([Bar(hostile, 3, hostile)], title=hostile)
    assert "<script>" not in svg
    root = ET.fromstring(str(svg))  # parses: nothing broke out of its element
    assert root.get("role") == "img"
    assert hostile in root.find(f"{SVG}title").text


def test_the_text_alternative_lists_every_label_and_value():
    svg = bar_chart([Bar("完成", Decimal("2.5")), Bar("未完成", 7, "7 项")], title="项目")
    desc = ET.fromstring(str(svg)).find(f"{SVG}desc").text
    assert desc == "完成: 2.5; 未完成: 7 项"


def test_long_labels_are_shortened_on_the_drawing_but_whole_in_the_tooltip():
    label = "公园路社区老年人助餐点无障碍坡道改造及扶手安装项目"
    svg = bar_chart([Bar(label, 1)], title="t")
    labels = [
        t.text for t in ET.fromstring(str(svg)).iter(f"{SVG}text") if "label" in t.get("class")
    ]
    assert len(labels[0]) == MAX_LABEL_CHARS and labels[0].endswith("…")
    assert label in svg


def test_no_bars_says_so():
    svg = bar_chart([], title="空", empty_text="还没有数据")
    assert "还没有数据" in svg
    ET.fromstring(str(svg))


def test_ids_differ_between_charts_on_one_page():
    a = bar_chart([Bar("甲", 1)], title="一")
    b = bar_chart([Bar("甲", 1)], title="二")
    assert ET.fromstring(str(a)).get("aria-labelledby") != ET.fromstring(str(b)).get(
        "aria-labelledby"
    )


def test_templates_insert_the_chart_without_escaping_it_again():
    template = engines["django"].from_string("{{ chart }}")
    out = template.render({"chart": bar_chart([Bar("<b>", 1)], title="t")})
    assert out.startswith("<svg") and "&lt;b&gt;" in out and "&amp;lt;" not in out
