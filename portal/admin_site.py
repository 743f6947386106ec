from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_title = _("Community administration")
    index_title = _("Community administration")

    def each_context(self, request):
        from portal.models import Community

        ctx = super().each_context(request)
        name = Community.current().name
        ctx["site_header"] = _("%(community)s · administration") % {"community": name}
        ctx["site_title"] = name
        return ctx

    def login(self, request, extra_context=None):
        """Staff log in like everyone else (mobile or email), on the portal's own page."""
        if request.user.is_authenticated and not request.user.is_staff:
            return super().login(request, extra_context)  # explains they lack access
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class PortalAdminConfig(AdminConfig):
    """The admin, branded with the community's name; staff log in through the portal."""

    default_site = "portal.admin_site.PortalAdminSite"
