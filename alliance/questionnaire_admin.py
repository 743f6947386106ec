"""The questionnaires in the admin: staff build them here (questions inline, like the festival's
registration questions); responses are read-only records (paper answers are typed in on the
staff page, online ones come from residents)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance import questionnaire_services as services
from alliance.questionnaire_forms import QuestionAdminForm, QuestionnaireAdminForm
from alliance.questionnaires import Answer, Question, Questionnaire, Response


class QuestionInline(admin.TabularInline):
    model = Question
    form = QuestionAdminForm
    fields = ["position", "label", "label_en", "kind", "choices", "required"]
    extra = 3


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    form = QuestionnaireAdminForm
    list_display = ["title", "audience", "opens_at", "closes_at", "anonymous", "results_link"]
    list_filter = ["audience", "anonymous"]
    search_fields = ["title", "intro"]
    date_hierarchy = "opens_at"
    inlines = [QuestionInline]
    fields = ["title", "intro", "audience", "opens_at", "closes_at", "anonymous"]

    @admin.display(description=_("results"))
    def results_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("alliance:questionnaire-results", args=[obj.pk]),
            _("Results"),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Opening now: tell its audience at once (the cron job tells the later ones).
        if form.instance.is_open() and form.instance.announced_at is None:
            services.announce_open()


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "value"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "questionnaire", "source", "answered_on", "entered_by"]
    list_filter = ["source", "questionnaire"]
    list_select_related = ["questionnaire", "entered_by"]
    search_fields = ["questionnaire__title"]
    inlines = [AnswerInline]
    fields = [
        "questionnaire",
        "source",
        "entered_by",
        "is_parent",
        "is_senior",
        "is_volunteer",
        "answered_on",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
