"""The log page: the tail of the application log, filtered, and a download."""

from __future__ import annotations

from itertools import chain

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from backoffice import log_tail
from backoffice.tools import TOOLS, Tool


class LogFilterForm(forms.Form):
    lines = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in log_tail.LINE_CHOICES],
        coerce=int,
        initial=log_tail.DEFAULT_LINES,
        required=False,
        label="Last lines",
    )
    level = forms.ChoiceField(
        choices=[("", "Any")] + [(name, name) for name in log_tail.LEVELS],
        required=False,
        label="Level at least",
    )
    text = forms.CharField(max_length=200, required=False, label="Containing")


def logs_view(request: HttpRequest) -> HttpResponse:
    """Show the log's last lines, filtered; ?download=1 sends the whole file."""
    if request.GET.get("download"):
        return download_log()
    form = LogFilterForm(request.GET or None)
    wanted = form.cleaned_data if form.is_valid() else {}
    tail = log_tail.tail_log(
        settings.LOG_FILE,
        lines=wanted.get("lines") or log_tail.DEFAULT_LINES,
        text=wanted.get("text", ""),
        min_level=wanted.get("level", ""),
    )
    context = {
        **admin.site.each_context(request),
        "title": "Application log",
        "form": form,
        "tail": tail,
    }
    return TemplateResponse(request, "backoffice/logs.html", context)


def download_log() -> HttpResponse:
    """The whole current log file (not its rotated copies), masked, unfiltered."""
    try:
        chunks = log_tail.masked_file_chunks(settings.LOG_FILE)
        first = next(chunks, "")
    except FileNotFoundError:
        return HttpResponse(
            "There is no log file yet.", status=404, content_type="text/plain"
        )
    except OSError as err:
        return HttpResponse(
            f"The log file cannot be read: {err.strerror}.",
            status=500,
            content_type="text/plain",
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        chain([first], chunks), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="uac-log-{stamp}.txt"'
    return response


TOOLS.append(
    Tool(
        title="Application log",
        description="The log's last lines, filtered by text and level; download.",
        route="logs/",
        url_name="logs",
        permission="backoffice.view_logs",
        view=logs_view,
    )
)
