"""The community's modules (volunteers, events, …), declared once and read everywhere.

A module is an app whose AppConfig says `portal_module = True`, with what the shared layer needs
to know of it:

- `section_title`: its name after a page's own in the title ("活动报名 · 邻里节 · 社区活动 ·
  公园路社区", `portal.context_processors.section_title`);
- `nav_label`, `nav_icon`, `nav_url`: its link in the main navigation (`_nav_links.html`), or no
  `nav_label` for none;
- `staff_role`: the role whose group keeps all its data in the admin (`portal.roles`).

The rest follows from the app itself: its pages are at `/<label>/` under the namespace `<label>`
(its `urls.py`); its content is a cache namespace of its own (`portal.cache`); and what it adds
to the shared pages are its submodules by name (`parts`): `home` (a section of the home page),
`privacy` (a resident's data), `calendar` (my calendar), `demo` (the demo data).

The modules come in INSTALLED_APPS order: the order of the navigation, the home page's sections,
a resident's data and the demo.
"""

from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


@dataclass(frozen=True)
class Module:
    label: str  # the app's label: its URL prefix and namespace, its cache generation
    name: str  # the app's package
    section_title: str  # translated lazily
    nav_label: str | None
    nav_icon: str
    nav_url: str
    staff_role: str


def modules() -> list[Module]:
    """Every module, in INSTALLED_APPS order."""
    return [
        Module(
            label=config.label,
            name=config.name,
            section_title=config.section_title,
            nav_label=getattr(config, "nav_label", None),
            nav_icon=getattr(config, "nav_icon", ""),
            nav_url=getattr(config, "nav_url", ""),
            staff_role=config.staff_role,
        )
        for config in apps.get_app_configs()
        if getattr(config, "portal_module", False)
    ]


def labels() -> list[str]:
    return [module.label for module in modules()]


def navigation() -> list[Module]:
    """The modules linked from the main navigation, in its order."""
    return [module for module in modules() if module.nav_label is not None]


def section_titles() -> dict[str, str]:
    """The modules' names for page titles, by label (= URL namespace)."""
    return {module.label: module.section_title for module in modules()}


def _with(part: str) -> list[Module]:
    return [module for module in modules() if find_spec(f"{module.name}.{part}") is not None]


def having(part: str) -> list[str]:
    """The labels of the modules that have a `<app>.<part>` submodule (without importing it)."""
    return [module.label for module in _with(part)]


def parts(part: str) -> list[tuple[str, object]]:
    """(label, the imported `<app>.<part>`) for each module that has one."""
    return [(module.label, import_module(f"{module.name}.{part}")) for module in _with(part)]
