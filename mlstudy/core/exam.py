"""Exam manifests: code, status, domains with weights and task statements."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date

from mlstudy.errors import UserError

NO_DOMAIN = 0
"""The domain number of a card placed in an exam without a domain (a user deck that says
``domain: none``, an Anki import with no domain chosen). Such a card is studied like any
other but is left out of mastery, readiness and the plan's per-domain targets; manifests
number their domains from 1."""
NO_DOMAIN_NAME = "No domain"


@dataclass(frozen=True, slots=True)
class Task:
    """A task statement, such as 1.2 "Identify and implement a data ingestion solution."."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Domain:
    """An exam domain with its weight in percent of scored content."""

    number: int
    name: str
    weight: int
    tasks: tuple[Task, ...] = ()

    def task_ids(self) -> tuple[str, ...]:
        """The ids of this domain's task statements."""
        return tuple(task.id for task in self.tasks)


@dataclass(frozen=True, slots=True)
class ExamManifest:
    """What an exam pack's ``exam.toml`` says."""

    code: str
    name: str
    status: str
    domains: tuple[Domain, ...]
    retired_on: date | None = None
    status_note: str = ""
    source: str = ""
    minutes: int | None = None
    questions: int | None = None
    passing_score: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def domain(self, number: int) -> Domain | None:
        """The domain with this number, or None."""
        return next((d for d in self.domains if d.number == number), None)

    def domain_of_task(self, task_id: str) -> Domain | None:
        """The domain holding a task id, or None."""
        return next((d for d in self.domains if task_id in d.task_ids()), None)

    def weights(self) -> dict[int, float]:
        """Domain number to weight as a fraction (sums to 1)."""
        total = sum(d.weight for d in self.domains) or 1
        return {d.number: d.weight / total for d in self.domains}

    @property
    def display_name(self) -> str:
        """Name with its lifecycle, e.g. "... (MLS-C01, retired 2026-03-31)"."""
        if self.status == "retired" and self.retired_on:
            return f"{self.name} ({self.code}, retired {self.retired_on.isoformat()})"
        return f"{self.name} ({self.code})"


STATUSES = ("active", "retiring", "retired")


def parse_manifest(text: str, origin: str) -> ExamManifest:
    """Parse the text of an ``exam.toml``; ``origin`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{origin}: error: invalid TOML: {exc}") from None

    def need(table: dict[str, object], key: str, kind: type, where: str) -> object:
        value = table.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise UserError(f"{origin}: error: {where}'{key}' must be a {kind.__name__}")
        return value

    code = str(need(data, "code", str, ""))
    name = str(need(data, "name", str, ""))
    status = str(data.get("status", "active"))
    if status not in STATUSES:
        raise UserError(f"{origin}: error: 'status' must be one of {', '.join(STATUSES)}")
    retired_on = data.get("retired_on")
    if retired_on is not None and not isinstance(retired_on, date):
        raise UserError(f"{origin}: error: 'retired_on' must be a date like 2026-03-31")
    raw_domains = data.get("domains")
    if not isinstance(raw_domains, list) or not raw_domains:
        raise UserError(f"{origin}: error: at least one [[domains]] table is required")
    domains = []
    for index, raw in enumerate(raw_domains, start=1):
        where = f"domains[{index}]."
        number = need(raw, "number", int, where)
        tasks = tuple(
            Task(
                id=str(need(t, "id", str, where + "tasks.")),
                title=str(need(t, "title", str, where + "tasks.")),
            )
            for t in raw.get("tasks", [])
        )
        weight = need(raw, "weight", int, where)
        domains.append(
            Domain(
                number=int(str(number)),
                name=str(need(raw, "name", str, where)),
                weight=int(str(weight)),
                tasks=tasks,
            )
        )
    numbers = [d.number for d in domains]
    if any(n <= NO_DOMAIN for n in numbers):
        raise UserError(f"{origin}: error: domain numbers start at 1 (0 means no domain)")
    if len(set(numbers)) != len(numbers):
        raise UserError(f"{origin}: error: domain numbers must be unique")
    return ExamManifest(
        code=code,
        name=name,
        status=status,
        domains=tuple(domains),
        retired_on=retired_on,
        status_note=str(data.get("status_note", "")),
        source=str(data.get("source", "")),
        minutes=data.get("minutes") if isinstance(data.get("minutes"), int) else None,
        questions=data.get("questions") if isinstance(data.get("questions"), int) else None,
        passing_score=data.get("passing_score")
        if isinstance(data.get("passing_score"), int)
        else None,
    )
