"""Pages of the questionnaires: residents answer the open ones meant for them; alliance staff
(and community admins) see the results, type in paper answers and export.

Questionnaires are built in the admin (问卷调查), like the festival's registration questions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance import questionnaire_services as services
from alliance.access import QUESTIONNAIRE_ROLES, is_questionnaire_staff
from alliance.questionnaire_forms import AnswerForm, PaperAnswerForm, ResultsFilterForm
from alliance.questionnaires import Answer, Questionnaire
from portal import exports
from portal.access import require_role
from portal.lib import charts
from portal.questions import display_answer

TEXTS_SHOWN = 100  # text answers listed per question on the page (the export has them all)


def _staff_questionnaire(request, pk) -> Questionnaire:
    require_role(request, *QUESTIONNAIRE_ROLES)
    return get_object_or_404(Questionnaire, pk=pk)


def masked_name(name: str) -> str:
    """A name as lists show it: the family name and a star per other character (王**)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# ------------------------------------------------------------------------------- residents


@login_required
def questionnaire_list(request):
    """The open questionnaires meant for me, each marked answered or not."""
    open_now = list(services.open_for(request.user))
    answered = services.answered_ids(request.user, open_now)
    ctx = {
        "questionnaires": [(q, q.pk in answered) for q in open_now],
        "is_staff": is_questionnaire_staff(request.user),
    }
    return render(request, "alliance/questionnaires/list.html", ctx)


@login_required
def answer(request, pk):
    """Answer a questionnaire: one page, radio buttons and tick boxes, no JavaScript needed."""
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    groups = services.audience_groups(request.user)
    if questionnaire.audience not in groups and not is_questionnaire_staff(request.user):
        raise PermissionDenied
    state = questionnaire.state(now())
    answered = services.has_answered(questionnaire, request.user)
    questions = list(questionnaire.questions.all())
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer(questionnaire, user=request.user, values=form.values())
            except services.QuestionnaireError as e:
                messages.error(request, str(e))
                return redirect("alliance:questionnaire-answer", pk=questionnaire.pk)
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("alliance:questionnaires")
        messages.error(request, _("Please check the answers marked below."))
    ctx = {
        "questionnaire": questionnaire,
        "form": form,
        "state": state,
        "answered": answered,
        "can_answer": state == "open" and not answered and questionnaire.audience in groups,
    }
    return render(request, "alliance/questionnaires/answer.html", ctx, status=200)


# ----------------------------------------------------------------------------------- staff


@login_required
def staff_list(request):
    """Every questionnaire with its state and how many answered."""
    require_role(request, *QUESTIONNAIRE_ROLES)
    questionnaires = list(Questionnaire.objects.all())
    counts = services.response_counts(questionnaires)
    at = now()
    ctx = {
        "rows": [(q, q.state(at), counts.get(q.pk, 0)) for q in questionnaires],
    }
    return render(request, "alliance/questionnaires/staff_list.html", ctx)


def _results_tables(questionnaire, tallied, total):
    """The export: counts per option, then every text answer."""
    counts = exports.Table(
        _("Results"),
        [
            _("Question"),
            _("Answer"),
            exports.Column(_("Count"), exports.INT),
            exports.Column(_("Percent"), exports.NUMBER),
        ],
        [[r.question.label, bar.label, bar.count, bar.percent] for r in tallied for bar in r.bars],
    )
    texts = exports.Table(
        _("Text answers"),
        [_("Question"), _("Answer"), _("Source"), exports.Column(_("Answered on"), exports.DATE)]
        + ([] if questionnaire.anonymous else [_("Name")]),
        [
            [
                r.question.label,
                display_answer(r.question, a.value),
                a.response.get_source_display(),
                a.response.answered_on,
            ]
            + (
                []
                if questionnaire.anonymous
                else [
                    masked_name(a.response.respondent.display_name)
                    if a.response.respondent_id
                    else ""
                ]
            )
            for r in tallied
            for a in r.texts
        ],
    )
    return [counts, texts]


def _chart(result):
    """The question's bar chart as inline SVG (drawn on the server, no script): each bar is the
    count, with its share of those who answered."""
    return charts.bar_chart(
        [charts.Bar(b.label, b.count, f"{b.count} ({b.percent}%)") for b in result.bars],
        title=result.question.label,
        max_value=result.answered,
    )


@login_required
def results(request, pk):
    """Counts, shares and a bar chart per question, for everyone or one audience group."""
    questionnaire = _staff_questionnaire(request, pk)
    filters = ResultsFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        return HttpResponseBadRequest(_("Choose one of the offered filters."))
    group = filters.cleaned_data.get("group", "") if filters.is_bound else ""
    fmt = filters.cleaned_data.get("format", "") if filters.is_bound else ""
    total, tallied = services.results(questionnaire, group)
    if fmt:
        suffix = f"-{group}" if group else ""
        return exports.download(
            _results_tables(questionnaire, tallied, total), fmt, f"questionnaire-{pk}{suffix}"
        )
    for r in tallied:
        r.chart = _chart(r) if r.bars else ""
        r.shown_texts = r.texts[:TEXTS_SHOWN]
        for a in r.shown_texts:
            respondent = a.response.respondent
            a.who = (
                ""
                if questionnaire.anonymous or not respondent
                else masked_name(respondent.display_name)
            )
        r.more_texts = max(len(r.texts) - TEXTS_SHOWN, 0)
    ctx = {
        "questionnaire": questionnaire,
        "filters": filters,
        "group": group,
        "total": total,
        "results": tallied,
        "state": questionnaire.state(now()),
        "needs_enabled": True,
    }
    return render(request, "alliance/questionnaires/results.html", ctx)


@login_required
def paper(request, pk):
    """Type in a paper answer from a home visit."""
    questionnaire = _staff_questionnaire(request, pk)
    questions = list(questionnaire.questions.all())
    form = PaperAnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.enter_paper(
                questionnaire,
                by=request.user,
                values=form.values(),
                groups=set(form.cleaned_data["groups"]),
            )
        except services.QuestionnaireError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The paper answer is saved. You can type in the next one."))
            return redirect("alliance:questionnaire-paper", pk=questionnaire.pk)
    ctx = {"questionnaire": questionnaire, "form": form}
    return render(request, "alliance/questionnaires/paper.html", ctx)


@login_required
@require_POST
def answer_to_need(request, pk):
    """One click: a text answer goes on the needs list (source: questionnaire)."""
    require_role(request, *QUESTIONNAIRE_ROLES)
    answer = get_object_or_404(Answer.objects.select_related("question"), pk=pk)
    back = reverse("alliance:questionnaire-results", args=[answer.question.questionnaire_id])
    try:
        need = services.answer_to_need(answer, by=request.user)
    except services.QuestionnaireError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            _("The answer is on the needs list: “%(title)s”.") % {"title": need.title},
        )
    return redirect(back)
