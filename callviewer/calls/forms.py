"""The call-history search form and the ask box: what the agent typed, checked, before any
provider is asked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from callviewer.projects import questions
from callviewer.projects.models import Project
from callviewer.providers.types import FINAL_STATUSES, STATUSES, Question

from . import sids
from .filters import ALL, MATCHES, RANGES, Filters, quick_range
from .numbers import may_become_number

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Calls are searched in these years only: the providers keep nothing older, and a date near
# the ends of Python's calendar breaks date arithmetic (9999-12-31 plus a day).
FIRST_YEAR, LAST_YEAR = 1970, 2100


def status_groups() -> list[tuple[str, list[str]]]:
    """The status vocabulary for the picker: calls still going first, then ended ones."""
    live = [s for s in STATUSES if s not in FINAL_STATUSES and s != "unknown"]
    ended = [s for s in STATUSES if s in FINAL_STATUSES]
    return [("Still going", live), ("Ended", ended), ("Other", ["unknown"])]


class SearchForm(forms.Form):
    """Every field is optional: an empty search lists the latest calls."""

    project = forms.CharField(required=False, max_length=60)
    number = forms.CharField(
        required=False,
        max_length=40,
        error_messages={"max_length": "A phone number has at most 40 characters."},
    )
    match = forms.CharField(required=False)
    status = forms.CharField(required=False)
    date_from = forms.CharField(required=False)
    date_to = forms.CharField(required=False)
    range = forms.CharField(required=False)  # a quick range (filters.RANGES): sets both dates
    sid = forms.CharField(
        required=False,
        max_length=sids.MAX_PASTE,
        error_messages={
            "max_length": f"A call SID, or a link to a call, has at most {sids.MAX_PASTE} "
            "characters."
        },
    )

    def __init__(
        self,
        data: Any,
        *,
        projects: list[Project],
        remembered: str = "",
        zone: dt.tzinfo = dt.UTC,
        typing: bool = False,
    ) -> None:
        super().__init__(data)
        self.projects = projects
        self.remembered = remembered
        # Typing (a debounced search as the agent types): a value that more typing can still
        # make valid is no error yet. Its field goes in `incomplete` and nothing is searched.
        self.typing = typing
        self.incomplete: set[str] = set()
        self.zone = zone  # the agent's: the dates are its days
        self.sid_project = ""  # the project a pasted callviewer link named

    def clean_project(self) -> str:
        """The slug asked for, else the one remembered (if still the agent's), else a default."""
        slug: str = self.cleaned_data["project"].strip()
        if slug:
            return slug  # the view answers 404 when it is not one of the agent's
        slugs = {p.slug for p in self.projects}
        if self.remembered == ALL or self.remembered in slugs:
            return self.remembered
        return self.projects[0].slug if len(self.projects) == 1 else ALL

    def clean_match(self) -> str:
        match: str = self.cleaned_data["match"] or "either"
        if match not in MATCHES:
            raise forms.ValidationError(
                "Choose whether the number is the caller, the callee or either."
            )
        return match

    def clean_status(self) -> str:
        status: str = self.cleaned_data["status"].strip()
        if status and status not in STATUSES:
            raise forms.ValidationError(
                f"“{status[:30]}” is not a status callviewer knows. Pick one from the list."
            )
        return status

    def clean_date_from(self) -> dt.date | None:
        return self._date_field("date_from", "a start")

    def clean_date_to(self) -> dt.date | None:
        return self._date_field("date_to", "an end")

    def _date_field(self, name: str, which: str) -> dt.date | None:
        value: str = self.cleaned_data[name].strip()
        # The browser's date field reports a year as its digits arrive: 0002, 0020, 0202…
        if self.typing and _DATE_RE.fullmatch(value) and int(value[:4]) < 1000:
            self.incomplete.add(name)
            return None
        return _date(value, which)

    def number_problem(self, problem: str, regions: list[str]) -> None:
        """Note why the number cannot be searched: an error, or, while the agent is still
        typing a number that more digits can complete, only that it is incomplete."""
        if self.typing and may_become_number(self.cleaned_data.get("number", ""), regions):
            self.incomplete.add("number")
        else:
            self.add_error("number", problem)

    def clean_sid(self) -> str:
        """The call SID pasted (in any case, or inside a link), as its provider spells it."""
        text: str = self.cleaned_data["sid"].strip()
        if not text:
            return ""
        pasted = sids.read(text)
        if pasted is None:
            raise forms.ValidationError(
                f"“{text[:60]}” is not a call SID, nor a link holding one. {sids.shapes()}"
            )
        self.sid_project = pasted.project
        return pasted.sid

    def clean_range(self) -> str:
        name: str = self.cleaned_data["range"].strip()
        if name and name not in RANGES:
            choices = ", ".join(words for words, _back in RANGES.values())
            raise forms.ValidationError(f"Pick a quick range: {choices}.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("range"):  # the agent's today, whatever dates were typed before
            today = dt.datetime.now(self.zone).date()
            data["date_from"], data["date_to"] = quick_range(data["range"], today)
            for name in ("date_from", "date_to"):
                self.errors.pop(name, None)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", f"The end date {end} is before the start date {start}: swap them."
            )
        return data

    @property
    def project_slug(self) -> str:
        """The project asked for (or defaulted to), even when other fields are invalid."""
        if self.is_bound and "project" in self.cleaned_data:
            return str(self.cleaned_data["project"])
        return ""

    def filters(self) -> Filters:
        """The valid filters; call after is_valid()."""
        d = self.cleaned_data
        return Filters(
            number=d["number"].strip(),
            match=d["match"],
            status=d["status"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            zone=self.zone,
        )

    def value(self, name: str) -> str:
        """What the agent typed in a field, to put back in the page as it was (the dates a
        quick range set, when one was picked)."""
        if name in ("date_from", "date_to") and self.range_used:
            return self.cleaned_data[name].isoformat()
        raw = self.data.get(name, "") if self.is_bound else ""
        return str(raw)[:200]

    @property
    def range_used(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("range"))


def _date(value: str, which: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    if _DATE_RE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                return day
            raise forms.ValidationError(
                f"“{value}” is outside the years callviewer searches: "
                f"pick {which} date from {FIRST_YEAR} to {LAST_YEAR}."
            )
    raise forms.ValidationError(
        f"“{value[:30]}” is not {which} date. Use the date picker or YYYY-MM-DD, e.g. 2025-03-14."
    )


class AskForm(forms.Form):
    """ "Ask about this call": one question, its answer type, a Selector's options."""

    question = forms.CharField(
        label="Your question",
        max_length=questions.MAX_QUESTION_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"placeholder": "Did the caller ask for a refund?"}),
    )
    answer_type = forms.ChoiceField(
        label="Answer", choices=questions.TYPE_CHOICES, initial="Boolean"
    )
    options = forms.CharField(
        label="Options (for “One of a list”: one a line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        options = [o.strip() for o in cleaned.get("options", "").splitlines() if o.strip()]
        problems = questions.problems(cleaned["question"], cleaned["answer_type"], options)
        for problem in problems:
            self.add_error(None, problem)
        cleaned["parsed"] = questions.question_of(
            cleaned["question"], cleaned["answer_type"], options
        )
        return cleaned

    @property
    def asked(self) -> Question:
        question: Question = self.cleaned_data["parsed"]
        return question
