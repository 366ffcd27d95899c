"""Parse and validate practice question files (content/README.md, "A question file").

Like the card parser, every problem is collected as ``path:line: error: message`` and
one broken question never stops the others from loading.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlstudy.core.exam import ExamManifest
from mlstudy.core.practice import ItemType, Option, Question
from mlstudy.decks.limits import MAX_FILE_BYTES
from mlstudy.decks.loader import card_files, first_open_exam, load_manifest
from mlstudy.decks.parser import (
    FileTooLargeError,
    Problem,
    declares_questions,
    read_bounded,
    split_front_matter,
)
from mlstudy.errors import UserError

QUESTIONS_DIR = "questions"
FIELD_KEYS = ("type", "domain", "task", "source", "cards", "case")
FRONT_MATTER_KEYS = ("kind", "domain", "task", "source", "cards", "exam")
CASE = "case"

_ID_RE = re.compile(r"\s*\{#([^}\s]*)\}\s*$")
_VALID_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_FIELD_RE = re.compile(r"^:([A-Za-z_]+):\s*(.*)$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TASK_RE = re.compile(r"^\d+\.\d+$")
_CHECK_RE = re.compile(r"^[-*] \[([ xX])\]\s+(.*)$")
_STEP_RE = re.compile(r"^\d+[.)]\s+(.*)$")
_PAIR_RE = re.compile(r"^[-*] (?!\[[ xX]\])(.+?)\s*=>\s*(.+)$")
_CHOOSE_RE = re.compile(r"\bchoose\s+(two|three|four|five|\d)\b", re.IGNORECASE)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
_BANNED = re.compile(r"\b(all|none) of the above\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """A question as written, before its domain and cards are checked."""

    key: str
    title: str
    type: str
    domain: int | None
    task: str | None
    stem: str
    options: tuple[Option, ...]
    sources: tuple[str, ...]
    cards: tuple[str, ...]
    case_key: str | None
    path: str
    line: int


@dataclass(slots=True)
class ParsedQuestionFile:
    """The questions, case studies and problems of one file."""

    path: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    cases: dict[str, ParsedQuestion] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    exam: str | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class LoadedQuestion:
    """A valid question with its exam, where it is written, and a hash of its content."""

    exam: str
    question: Question
    path: str
    line: int
    content_hash: str


@dataclass(slots=True)
class QuestionLoad:
    """Every valid question found and every problem."""

    questions: list[LoadedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    def per_domain(self, exam: str) -> dict[int, int]:
        """Valid questions per domain of one exam."""
        counts: dict[int, int] = {}
        for loaded in self.questions:
            if loaded.exam == exam:
                counts[loaded.question.domain] = counts.get(loaded.question.domain, 0) + 1
        return counts


def is_question_text(text: str) -> bool:
    """True when a file's front matter says ``kind: questions``."""
    return declares_questions(text.removeprefix("\ufeff").splitlines())


def read_question_file(path: Path, shown: str) -> ParsedQuestionFile:
    """Read and parse one question file; I/O problems become problems."""
    result = ParsedQuestionFile(shown)
    try:
        data = read_bounded(path)  # regular files only, never past the size cap
    except FileTooLargeError:
        mb = MAX_FILE_BYTES // 1_048_576
        result.problems.append(Problem(shown, 1, f"file is over {mb} MB: split it"))
        return result
    except OSError as exc:
        result.problems.append(Problem(shown, 1, f"cannot read file: {exc.strerror or exc}"))
        return result
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.problems.append(Problem(shown, line, "invalid UTF-8; save the file as UTF-8"))
        return result
    return parse_question_text(text, shown)


def parse_question_text(text: str, path: str) -> ParsedQuestionFile:
    """Parse the text of a question file."""
    result = ParsedQuestionFile(path)
    text = text.removeprefix("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not text.strip():
        result.problems.append(Problem(path, 1, "file is empty: it holds no questions"))
        return result
    defaults, start = _front_matter(lines, result)
    headings: list[int] = []
    fence: str | None = None
    for index in range(start, len(lines)):
        fence = _track_fence(lines[index], fence)
        if fence is None and lines[index].startswith("## "):
            headings.append(index)
    for number, begin in enumerate(headings):
        end = headings[number + 1] if number + 1 < len(headings) else len(lines)
        _question(lines, begin, end, defaults, result)
    for case_key, case in result.cases.items():
        members = sum(q.case_key == case_key for q in result.questions)
        if members < 2:
            result.problems.append(
                Problem(path, case.line, f"case {case_key!r} needs two or more questions")
            )
    if not headings and not result.problems:
        result.problems.append(Problem(path, 1, "no questions: a question starts with '## '"))
    return result


def _track_fence(line: str, fence: str | None) -> str | None:
    match = _FENCE_RE.match(line)
    if not match:
        return fence
    marker = match.group(1)
    if fence is None:
        return marker
    if marker[0] == fence[0] and len(marker) >= len(fence):
        return None
    return fence


def _front_matter(lines: list[str], result: ParsedQuestionFile) -> tuple[dict[str, object], int]:
    defaults: dict[str, object] = {}
    entries, end, problems = split_front_matter(lines, result.path, FRONT_MATTER_KEYS)
    result.problems.extend(problems)
    for number, key, value in entries:
        _set_field(defaults, key, value, result, number)
    result.exam = str(defaults.pop("exam")) if defaults.get("exam") else None
    result.kind = str(defaults.pop("kind", "")) or None
    return defaults, end


def _split(value: str) -> tuple[str, ...]:
    inner = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    return tuple(part.strip() for part in inner.split(",") if part.strip())


def _set_field(
    target: dict[str, object], key: str, value: str, result: ParsedQuestionFile, line: int
) -> bool:
    def bad(message: str) -> bool:
        result.problems.append(Problem(result.path, line, message))
        return False

    if key == "domain":
        if not value.isdigit():
            return bad(f"domain must be a domain number such as 3, got {value!r}")
        target[key] = int(value)
    elif key == "task":
        if not _TASK_RE.match(value):
            return bad(f"task must look like 3.2, got {value!r}")
        target[key] = value
    elif key == "source":
        urls = _split(value)
        for url in urls:
            if not url.startswith(("https://", "http://")):
                return bad(f"source must be an http(s) URL, got {url[:60]!r}")
        target[key] = urls
    elif key == "cards":
        ids = _split(value)
        for card in ids:
            if not _VALID_ID_RE.match(card):
                return bad(f"card id {card!r} must be lower-case letters, digits and hyphens")
        target[key] = ids
    elif key == "type":
        allowed = (*(t.value for t in ItemType), CASE)
        if value not in allowed:
            return bad(f"type must be one of {', '.join(allowed)}, got {value!r}")
        target[key] = value
    else:
        target[key] = value
    return True


def _question(
    lines: list[str], start: int, end: int, defaults: dict[str, object], result: ParsedQuestionFile
) -> None:
    path, line_no = result.path, start + 1
    heading = lines[start][3:].strip()
    match = _ID_RE.search(heading)
    if not match:
        result.problems.append(
            Problem(path, line_no, "question heading has no id: end it with {#q-some-id}")
        )
        return
    key, title = match.group(1), heading[: match.start()].strip()
    if not _VALID_ID_RE.match(key):
        result.problems.append(
            Problem(
                path, line_no, f"question id {key!r} must be lower-case letters, digits and hyphens"
            )
        )
        return
    fields = dict(defaults)
    fields.pop("type", None)
    ok = True
    body = start + 1
    while body < end and (field_match := _FIELD_RE.match(lines[body])):
        name = field_match.group(1).lower()
        if name not in FIELD_KEYS:
            result.problems.append(
                Problem(
                    path,
                    body + 1,
                    f"unknown question field ':{name}:' (known: {', '.join(FIELD_KEYS)})",
                )
            )
            ok = False
        else:
            ok = _set_field(fields, name, field_match.group(2).strip(), result, body + 1) and ok
        body += 1
    if not ok:
        return
    kind = str(fields.get("type", ""))
    if kind == CASE:
        scenario = "\n".join(lines[body:end]).strip()
        if not scenario:
            result.problems.append(Problem(path, line_no, f"case {key!r} has no scenario text"))
            return
        result.cases[key] = ParsedQuestion(
            key, title, CASE, None, None, scenario, (), (), (), None, path, line_no
        )
        return
    stem, options, kind, problems = _body(lines, body, end, kind, path)
    if not problems:
        problems = _check(key, kind, stem, options, fields, line_no, result)
    if problems:
        result.problems.extend(Problem(path, n, message) for n, message in problems)
        return
    domain = fields.get("domain")
    case_key = str(fields["case"]) if fields.get("case") else None
    result.questions.append(
        ParsedQuestion(
            key=key,
            title=title,
            type=kind,
            domain=domain if isinstance(domain, int) else None,
            task=str(fields["task"]) if fields.get("task") else None,
            stem=stem,
            options=tuple(options),
            sources=_tuple(fields.get("source")),
            cards=_tuple(fields.get("cards")),
            case_key=case_key,
            path=path,
            line=line_no,
        )
    )


def _tuple(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, tuple) else ()


def _body(
    lines: list[str], start: int, end: int, kind: str, path: str
) -> tuple[str, list[Option], str, list[tuple[int, str]]]:
    """Split a question's body into the stem and its options (with explanations)."""
    problems: list[tuple[int, str]] = []
    fence: str | None = None
    first: int | None = None
    for index in range(start, end):
        fence = _track_fence(lines[index], fence)
        if fence is None and _option_kind(lines[index], kind):
            first = index
            break
    if first is None:
        return "\n".join(lines[start:end]).strip(), [], kind, [(start, "question has no options")]
    stem = "\n".join(lines[start:first]).strip()
    if not kind:
        kind = ItemType.SINGLE.value  # decided by the number of [x] below
        detected = _option_kind(lines[first], "")
        if detected != "check":
            problems.append((first + 1, "set ':type: ordering' or ':type: matching' for this list"))
    raw: list[tuple[int, str, list[str]]] = []
    for index in range(first, end):
        line = lines[index]
        if _option_kind(line, kind):
            raw.append((index + 1, line, []))
        elif line.startswith((" ", "\t")) or not line.strip():
            raw[-1][2].append(line.strip())
        else:
            problems.append((index + 1, "text after the options must be indented under an option"))
    options: list[Option] = []
    correct = 0
    for number, line, explanation in raw:
        text = " ".join(explanation).strip()
        if not text:
            problems.append((number, "option has no explanation: add an indented line below it"))
        if kind in (ItemType.SINGLE, ItemType.MULTIPLE):
            check = _CHECK_RE.match(line)
            assert check is not None
            is_right = check.group(1) != " "
            correct += is_right
            options.append(Option(check.group(2).strip(), text, is_right))
        elif kind == ItemType.ORDERING:
            step = _STEP_RE.match(line)
            assert step is not None
            options.append(Option(step.group(1).strip(), text, True))
        else:
            pair = _PAIR_RE.match(line)
            assert pair is not None
            options.append(Option(pair.group(1).strip(), text, True, pair.group(2).strip()))
    if kind == ItemType.SINGLE and correct >= 2:
        kind = ItemType.MULTIPLE.value
    return stem, options, kind, problems


def _option_kind(line: str, kind: str) -> str | None:
    if kind in ("", ItemType.SINGLE, ItemType.MULTIPLE) and _CHECK_RE.match(line):
        return "check"
    if kind in ("", ItemType.ORDERING) and _STEP_RE.match(line):
        return "step"
    if kind in ("", ItemType.MATCHING) and _PAIR_RE.match(line):
        return "pair"
    return None


def _check(
    key: str,
    kind: str,
    stem: str,
    options: list[Option],
    fields: dict[str, object],
    line: int,
    result: ParsedQuestionFile,
) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    correct = sum(o.correct for o in options)
    if not stem:
        problems.append((line, f"question {key!r} has no stem"))
    if kind == ItemType.SINGLE:
        if correct != 1:
            problems.append(
                (line, f"a single-answer question needs exactly one [x], found {correct}")
            )
        if len(options) < 4:
            problems.append(
                (line, f"a single-answer question needs four or more options, found {len(options)}")
            )
    elif kind == ItemType.MULTIPLE:
        if correct < 2:
            problems.append(
                (line, f"a multiple-response question needs two or more [x], found {correct}")
            )
        if len(options) < 5:
            problems.append(
                (
                    line,
                    f"a multiple-response question needs five or more options, found "
                    f"{len(options)}",
                )
            )
        said = _CHOOSE_RE.search(stem)
        wanted = None
        if said:
            word = said.group(1).lower()
            wanted = int(word) if word.isdigit() else _NUMBER_WORDS[word]
        if wanted is None:
            problems.append(
                (line, f'the stem must say how many to choose ("Choose {_word(correct)}.")')
            )
        elif wanted != correct:
            problems.append(
                (line, f"the stem says choose {wanted} but {correct} options are marked [x]")
            )
    elif kind == ItemType.ORDERING and len(options) < 3:
        problems.append(
            (line, f"an ordering question needs three or more steps, found {len(options)}")
        )
    elif kind == ItemType.MATCHING:
        if len(options) < 3:
            problems.append(
                (line, f"a matching question needs three or more pairs, found {len(options)}")
            )
        rights = [o.match for o in options]
        if len(set(rights)) != len(rights):
            problems.append((line, "every right-hand side of a matching question must differ"))
    if any(_BANNED.search(o.text) for o in options):
        problems.append((line, "no 'all of the above' or 'none of the above' options"))
    if not fields.get("source"):
        problems.append((line, f"question {key!r} has no source: add ':source: https://...'"))
    if not fields.get("cards"):
        problems.append((line, f"question {key!r} links no cards: add ':cards: card-id, ...'"))
    case_key = fields.get("case")
    if case_key and case_key not in result.cases:
        problems.append((line, f"unknown case {case_key!r}: define it above with ':type: case'"))
    return problems


def _word(n: int) -> str:
    return {v: k for k, v in _NUMBER_WORDS.items()}.get(n, str(n))


# ----- loading --------------------------------------------------------------------------


def question_files(pack: Path) -> list[Path]:
    """The question files of an exam pack."""
    folder = pack / QUESTIONS_DIR
    if not folder.is_dir():
        return []
    return card_files(folder)


def user_question_files(folder: Path) -> list[Path]:
    """Files in a user deck folder whose front matter says ``kind: questions``."""
    found = []
    for path in card_files(folder):  # regular files only: a FIFO never blocks the walk
        try:
            head = read_bounded(path)[:4096].decode("utf-8", errors="replace")
        except OSError:
            continue
        if is_question_text(head):
            found.append(path)
    return found


def question_fingerprint(
    packs: Sequence[Path], user_folders: Iterable[Path], default_exam: str | None
) -> str:
    """Changes when any question file (or the set of them, or a manifest) changes, or
    the exam of user files that name none (resolved as ``load_questions`` does)."""
    if default_exam is None:
        manifests = {}
        for pack in packs:
            try:
                loaded = load_manifest(pack)
            except UserError:
                continue
            manifests[loaded.code] = loaded
        default_exam = first_open_exam(manifests)
    digest = hashlib.sha256(repr(default_exam).encode("utf-8"))
    files = [pack / "exam.toml" for pack in packs]
    files += [p for pack in packs for p in question_files(pack)]
    files += [p for folder in user_folders for p in user_question_files(folder)]
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def load_questions(
    packs: Sequence[Path],
    user_folders: Iterable[Path],
    card_keys: set[str] | frozenset[str],
    *,
    default_exam: str | None = None,
) -> QuestionLoad:
    """Load question files of packs and user folders, checked against manifests and cards."""
    load = QuestionLoad()
    manifests: dict[str, ExamManifest] = {}
    jobs: list[tuple[Path, str, str | None]] = []
    for pack in packs:
        try:
            loaded = load_manifest(pack)
        except UserError:
            continue  # the card loader reports a broken manifest
        manifests[loaded.code] = loaded
        jobs.extend(
            (p, str(p.relative_to(pack.parent.parent)), loaded.code) for p in question_files(pack)
        )
    fallback = default_exam or first_open_exam(manifests)
    for folder in user_folders:
        jobs.extend((p, str(p), None) for p in user_question_files(folder))
    seen: dict[str, tuple[str, int]] = {}
    for path, shown, exam in jobs:
        load.files += 1
        parsed = read_question_file(path, shown)
        load.problems.extend(parsed.problems)
        code = exam or parsed.exam or fallback
        manifest = manifests.get(code or "")
        for item in parsed.questions:
            problem = _validate(item, manifest, code, card_keys, seen)
            if problem:
                load.problems.append(Problem(item.path, item.line, problem))
                continue
            assert manifest is not None
            seen[item.key] = (item.path, item.line)
            case = parsed.cases.get(item.case_key or "")
            question = Question(
                key=item.key,
                title=item.title,
                type=ItemType(item.type),
                domain=_domain(item, manifest) or 0,
                task=item.task,
                stem=item.stem,
                options=item.options,
                sources=item.sources,
                cards=item.cards,
                case_key=item.case_key,
                case_text=case.stem if case else "",
            )
            load.questions.append(
                LoadedQuestion(code or "", question, item.path, item.line, _hash(question))
            )
    return load


def _domain(item: ParsedQuestion, manifest: ExamManifest) -> int | None:
    if item.task is not None:
        owner = manifest.domain_of_task(item.task)
        return owner.number if owner else None
    if item.domain is not None and manifest.domain(item.domain) is not None:
        return item.domain
    return None


def _validate(
    item: ParsedQuestion,
    manifest: ExamManifest | None,
    code: str | None,
    card_keys: set[str] | frozenset[str],
    seen: dict[str, tuple[str, int]],
) -> str | None:
    if manifest is None:
        return f"unknown exam {code!r}: no pack with that code"
    if item.key in seen:
        other = seen[item.key]
        return f"duplicate question id {item.key!r}: also at {other[0]}:{other[1]}"
    if item.task is not None:
        owner = manifest.domain_of_task(item.task)
        if owner is None:
            return f"unknown task {item.task!r} for {manifest.code}"
        if item.domain is not None and item.domain != owner.number:
            return f"task {item.task} belongs to domain {owner.number}, not domain {item.domain}"
    elif item.domain is None:
        return "question has no domain: set 'domain:' in the front matter or a ':domain:' line"
    elif manifest.domain(item.domain) is None:
        return f"unknown domain {item.domain}"
    unknown = [c for c in item.cards if c not in card_keys]
    if unknown:
        return f"unknown card id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
    return None


def _hash(question: Question) -> str:
    digest = hashlib.sha256(repr(question).encode("utf-8"))
    return digest.hexdigest()[:32]
