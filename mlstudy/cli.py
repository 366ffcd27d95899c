"""The ``mlstudy`` command: the desktop app by default, and subcommands for scripts.

The contract (DESIGN section 7): ``--data-dir`` before or after the subcommand,
errors as one line on stderr with a non-zero exit, ``--json`` as one document.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mlstudy import __version__
from mlstudy.errors import UnknownExamError, UserError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def _common(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help="library folder (default: $MLSTUDY_DATA_DIR or the user data dir)",
    )
    parser.add_argument(
        "--exam",
        metavar="CODE",
        default=default,
        help="act on this exam pack for this run only (the selection is kept)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="mlstudy", description="Flashcards and a study plan for AWS ML certifications."
    )
    parser.add_argument("--version", action="version", version=f"mlstudy {__version__}")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="build the main window offscreen, render a card, exit 0",
    )
    _common(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check-content", help="validate decks; exit 1 on any error")
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="exam pack folders, deck folders or card files (default: bundled and user decks)",
    )
    stats = sub.add_parser("stats", help="counts, due today, per-domain mastery, readiness")
    stats.add_argument("--json", action="store_true", help="one JSON document on stdout")
    plan = sub.add_parser("plan", help="the day-by-day plan toward your exam date")
    plan.add_argument(
        "--exam-date",
        metavar="YYYY-MM-DD",
        help="plan for this exam date (saved as your exam date)",
    )
    plan.add_argument("--minutes", metavar="N", help="minutes per day (saved)")
    plan.add_argument("--json", action="store_true", help="one JSON document on stdout")
    plan.add_argument(
        "--ics", type=Path, metavar="FILE", help="also write the plan as an iCalendar file"
    )
    backup = sub.add_parser("backup", help="back up the library now, or list backups")
    backup.add_argument("--list", action="store_true", help="list backups, newest first")
    restore = sub.add_parser(
        "restore", help="replace the library with a backup (the current state is backed up first)"
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    charts = sub.add_parser("charts", help="write every progress chart as PNG")
    charts.add_argument("--out", type=Path, metavar="DIR", required=True, help="output folder")
    _common(charts, argparse.SUPPRESS)
    practice = sub.add_parser("practice", help="practice questions in the terminal")
    practice.add_argument("--count", type=int, metavar="N", default=10, help="questions (10)")
    practice.add_argument("--domain", type=int, metavar="D", help="only this domain")
    practice.add_argument("--task", metavar="T", help="only this task statement, such as 3.2")
    practice.add_argument("--seed", type=int, metavar="S", help="a seed for a repeatable draw")
    export = sub.add_parser("export", help="write the cards as an Anki package (.apkg)")
    export.add_argument("file", type=Path, metavar="FILE.apkg")
    export.add_argument("--domain", type=int, metavar="N", help="only this domain's cards")
    export.add_argument(
        "--with-progress",
        action="store_true",
        help="carry each card's interval, ease and due day (README, Anki)",
    )
    imp = sub.add_parser("import", help="import an Anki .apkg/.colpkg into your decks")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument(
        "--domain",
        type=int,
        metavar="N",
        help="domain for cards whose tags name none (default: no domain, left out of readiness)",
    )
    imp.add_argument("--task", metavar="T", help="task statement for cards whose tags name none")
    imp.add_argument(
        "--with-progress",
        action="store_true",
        help="bring each card's interval, ease, due day and review history (README, Anki)",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="show what would be imported; write nothing"
    )
    sync = sub.add_parser("sync", help="one sync pass with your other computers")
    sync.add_argument(
        "--folder", type=Path, metavar="DIR", help="the shared folder to sync through (saved)"
    )
    sync.add_argument("--json", action="store_true", help="one JSON document on stdout")
    exams = sub.add_parser("exams", help="the exam packs, their status, which one is selected")
    exams.add_argument("--json", action="store_true", help="one JSON document on stdout")
    exams.add_argument(
        "--select", metavar="CODE", help="make this exam pack the selected one (saved)"
    )
    for child in (check, stats, plan, backup, restore, practice, export, imp, sync, exams):
        _common(child, argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check-content":
            return _check_content(args)
        if args.command == "stats":
            return _stats(args)
        if args.command == "plan":
            return _plan(args)
        if args.command == "backup":
            return _backup(args)
        if args.command == "restore":
            return _restore(args)
        if args.command == "charts":
            return _charts(args)
        if args.command == "practice":
            from mlstudy.cli_practice import run_practice

            return run_practice(
                args.data_dir, args.count, args.domain, args.task, args.seed, args.exam
            )
        if args.command == "export":
            return _export(args)
        if args.command == "import":
            return _import(args)
        if args.command == "sync":
            return _sync(args)
        if args.command == "exams":
            return _exams(args)
        return _launch_gui(args)
    except UnknownExamError as exc:
        print(f"mlstudy: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        print(f"mlstudy: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``mlstudy plan | head``): not an error worth a traceback.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed stream
        return EXIT_OK


def _check_content(args: argparse.Namespace) -> int:
    from mlstudy.services.checking import check_content

    report = check_content(args.paths, args.data_dir)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for note in report.notes:
        print(note, file=sys.stderr)
    questions = report.questions_per_domain or {}
    shared = report.shared_per_domain or {}
    for code, counts in report.per_domain.items():
        names = report.domain_names[code]
        asked = questions.get(code, {})
        borrowed = shared.get(code, {})
        if not any(counts.values()) and not any(asked.values()) and not borrowed:
            continue
        also = f" (+{sum(borrowed.values())} shared from other packs)" if borrowed else ""
        print(f"{code}: {sum(counts.values())} cards{also}, {sum(asked.values())} questions")
        for number, count in sorted(counts.items()):
            plus = f"  +{borrowed[number]} shared" if borrowed.get(number) else ""
            print(
                f"  {number}. {names.get(number, '?'):<48} {count:>5} cards "
                f"{asked.get(number, 0):>4} questions{plus}"
            )
    print(
        f"{report.files} files, {report.cards} cards, {report.questions} questions, "
        f"{len(report.problems)} errors"
    )
    return EXIT_ERROR if report.problems else EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from mlstudy.services import Library
    from mlstudy.services.stats import library_stats

    with Library.open(args.data_dir, exam=args.exam) as library:
        data = library_stats(library)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    exam = data["exam"]
    print(exam["display_name"])
    if exam.get("status_note"):
        print(exam["status_note"])
    today = data["today"]
    print(
        f"Study day {today['day']}: {today['due']} due, {today['new']} new, "
        f"{today['studied']} studied, streak {today['streak']} "
        f"day{'' if today['streak'] == 1 else 's'}"
    )
    print(f"Readiness {data['readiness'] * 100:.0f}%")
    for domain in data["domains"]:
        print(
            f"  {domain['number']}. {domain['name']:<48} {domain['weight']:>3}%  "
            f"{domain['cards']:>5} cards  mastery {domain['mastery'] * 100:.0f}%"
        )
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from mlstudy.services import Library
    from mlstudy.services.planning import make_plan, plan_document, plan_settings, write_ics

    with Library.open(args.data_dir, exam=args.exam) as library:
        exam_date, minutes = plan_settings(library, args.exam_date, args.minutes)
        if args.exam_date is not None or args.minutes is not None:
            library.update_settings(exam_date=exam_date.isoformat(), minutes_per_day=minutes)
        plan = library.refresh_plan() or make_plan(library)
        names = {d.number: d.name for d in library.exam().domains}
        events = None
        if args.ics:
            events = write_ics(plan, args.ics, library.exam().name, names, library.now())
    if args.json:
        print(json.dumps(plan_document(plan, names), indent=2))
    else:
        print(f"Exam {plan.exam_date} at {plan.minutes_per_day} min/day. {plan.verdict}")
        if plan.reason:
            print(plan.reason)
        header = "date        " + " ".join(f"D{n:<3}" for n in names) + "  reviews  minutes"
        print(header)
        for day in plan.days:
            if day.is_off:
                print(f"{day.day}  day off")
                continue
            new = " ".join(f"{day.new_by_domain.get(n, 0):<4}" for n in names)
            print(f"{day.day}  {new} {day.expected_reviews:>8.0f} {day.expected_minutes:>8.0f}")
    if events is not None:
        print(f"wrote {events} study days to {args.ics}", file=sys.stderr)
    return EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    from mlstudy.services import Library

    with Library.open(args.data_dir, sync=not args.list, exam=args.exam) as library:
        if args.list:
            backups = library.backups()
            for item in backups:
                print(
                    f"{item.taken_at:%Y-%m-%d %H:%M:%S} UTC  {item.size / 1024:>9.0f} KB  "
                    f"{item.path}"
                )
            if not backups:
                print(f"no backups yet in {library.data_dir / 'backups'}")
            return EXIT_OK
        path = library.backup_now("manual")
    print(f"backed up to {path}")
    return EXIT_OK


def _sync(args: argparse.Namespace) -> int:
    from mlstudy.services import Library

    with Library.open(args.data_dir, exam=args.exam) as library:
        if args.folder is not None:
            library.sync.set_folder(args.folder)
        result = library.sync.run()
    if result is None:
        raise UserError("no sync folder chosen yet: run mlstudy sync --folder DIR")
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(
        f"sent {result.sent}, received {result.received}, {result.devices} device(s) in the folder"
    )
    for problem in result.problems:
        print(f"problem: {problem}")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from mlstudy.services import Library

    with Library.open(args.data_dir, sync=False, exam=args.exam) as library:
        previous = library.restore(args.file.expanduser().resolve())
        counts = library.counts()
    print(f"restored {args.file}; the previous state was backed up to {previous}")
    print(f"study day {counts.day}: {counts.due} due, {counts.new} new")
    return EXIT_OK


def _charts(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication

        from mlstudy.gui.chart_export import quiet_offscreen_messages, write_all_charts
    except ImportError as exc:
        raise UserError(f"charts need the desktop libraries: {exc}") from None
    from mlstudy.services import Library

    quiet_offscreen_messages()
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive while drawing
    with Library.open(args.data_dir, exam=args.exam) as library:
        written = write_all_charts(library, args.out)
    for path in written:
        print(path)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from mlstudy.services import Library
    from mlstudy.services.interop import export_to_anki

    with Library.open(args.data_dir, exam=args.exam) as library:
        report = export_to_anki(
            library,
            args.file.expanduser(),
            domain=args.domain,
            with_progress=args.with_progress,
        )
    progress = " with progress" if report.with_progress else ""
    print(f"wrote {report.notes} notes in {report.decks} decks{progress} to {report.path}")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from mlstudy.services import Library
    from mlstudy.services.interop import import_from_anki, preview_import

    with Library.open(args.data_dir, exam=args.exam) as library:
        file = args.file.expanduser()
        if args.dry_run:
            result = preview_import(library, file)
        else:
            result = import_from_anki(
                library,
                file,
                domain=args.domain,
                task=args.task,
                with_progress=args.with_progress,
            )
    verb = "would import" if args.dry_run else "imported"
    print(f"{verb} {result.cards} cards from {result.notes} notes, {result.media} media files")
    for deck, count in result.decks.items():
        print(f"  deck {deck}: {count} cards")
    for kind, count in result.note_types.items():
        print(f"  note type {kind}: {count} notes")
    for reason in result.skipped:
        print(f"  skipped: {reason}")
    unplaced = result.no_domain if args.domain is None and args.task is None else 0
    if unplaced:
        print(
            f"  no domain: {unplaced} cards (their Anki tags name no task or domain): "
            "studied, but left out of readiness; choose one with --domain or --task"
        )
    if args.with_progress and result.progress is None:
        print(
            f"  progress: {result.scheduled} scheduled in Anki, "
            f"{result.answers} answers in its history, {result.suspended} suspended"
        )
    elif result.progress is not None:
        done = result.progress
        print(
            f"  progress: states set {done.states}, already imported {done.unchanged}, "
            f"kept {done.kept} (answered in mlstudy since), Anki answers logged {done.history}, "
            f"suspended {done.suspended}"
        )
    return EXIT_OK


def _exams(args: argparse.Namespace) -> int:
    from mlstudy.services import Library
    from mlstudy.services.exams import list_exams, select_exam

    with Library.open(args.data_dir, exam=args.exam) as library:
        if args.select is not None:
            select_exam(library, args.select)
        packs = list_exams(library)
    if args.json:
        document = {
            "selected": next((p.code for p in packs if p.selected), None),
            "exams": [
                {
                    "code": p.code,
                    "name": p.name,
                    "status": p.status,
                    "retired_on": p.retired_on,
                    "cards": p.cards,
                    "shared_cards": p.shared_cards,
                    "questions": p.questions,
                    "selected": p.selected,
                }
                for p in packs
            ],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    for p in packs:
        mark = "*" if p.selected else " "
        retired = f" {p.retired_on}" if p.retired_on else ""
        shared = f" ({p.shared_cards} shared)" if p.shared_cards else ""
        print(
            f"{mark} {p.code:<9} {p.status + retired:<19} {p.cards:>6} cards{shared}  "
            f"{p.questions:>4} questions  {p.name}"
        )
    return EXIT_OK


def _launch_gui(args: argparse.Namespace) -> int:
    try:
        from mlstudy.gui.app import run_app
    except ImportError as exc:
        raise UserError(f"the desktop app is not available: {exc}") from None
    return run_app(data_dir=args.data_dir, smoke_test=args.smoke_test, exam=args.exam)
