"""The bundled MLS-C01 pack: size, balance, unique ids and sources."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from mlstudy.core.exam import ExamManifest
from mlstudy.decks.loader import LoadResult, load_decks, load_manifest
from mlstudy.paths import content_dir

PACK = content_dir() / "mls-c01"
MINIMUM_PER_DOMAIN = {1: 96, 2: 115, 3: 173, 4: 96}
MINIMUM_PER_TASK = 15
AWS_NAMES = re.compile(
    r"\b(Amazon|AWS|SageMaker|Kinesis|Firehose|Athena|Glue|EMR|Redshift|DynamoDB|"
    r"Rekognition|Comprehend|Textract|Transcribe|Polly|Lex|Translate|Personalize|"
    r"Bedrock|CloudWatch|CloudTrail|IAM|KMS|S3|EFS|EBS|FSx|QuickSight|Lake Formation|"
    r"Lambda|Step Functions|EventBridge|Inferentia|Trainium|Neo|Greengrass)\b"
)


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    return load_decks([PACK])


@pytest.fixture(scope="module")
def manifest() -> ExamManifest:
    return load_manifest(PACK)


def test_pack_is_clean(loaded: LoadResult) -> None:
    assert [str(p) for p in loaded.problems] == []


def test_manifest_records_the_retirement(manifest: ExamManifest) -> None:
    assert manifest.status == "retired"
    assert manifest.retired_on is not None and manifest.retired_on.isoformat() == "2026-03-31"
    assert "retired" in manifest.display_name
    assert [(d.number, d.weight) for d in manifest.domains] == [(1, 20), (2, 24), (3, 36), (4, 20)]
    assert sum(len(d.tasks) for d in manifest.domains) == 15


def test_size_and_balance(loaded: LoadResult) -> None:
    per_domain = Counter(c.domain for c in loaded.cards)
    assert sum(per_domain.values()) >= 480
    for domain, minimum in MINIMUM_PER_DOMAIN.items():
        assert per_domain[domain] >= minimum, f"domain {domain}: {per_domain[domain]}"


def test_every_task_has_enough_cards(loaded: LoadResult, manifest: ExamManifest) -> None:
    per_task = Counter(c.card.task for c in loaded.cards)
    for domain in manifest.domains:
        for task in domain.tasks:
            assert per_task[task.id] >= MINIMUM_PER_TASK, f"task {task.id}: {per_task[task.id]}"
    assert per_task[None] == 0, "every bundled card names its task"


def test_ids_are_unique(loaded: LoadResult) -> None:
    keys = [c.card.key for c in loaded.cards]
    assert len(keys) == len(set(keys))


def test_every_aws_service_card_cites_aws_documentation(loaded: LoadResult) -> None:
    missing = [
        f"{c.card.path}:{c.card.line} {c.card.key}"
        for c in loaded.cards
        if AWS_NAMES.search(c.card.question + " " + c.card.answer)
        and not c.card.source.startswith("https://docs.aws.amazon.com/")
    ]
    assert missing == []


def test_every_card_has_a_source(loaded: LoadResult) -> None:
    missing = [
        f"{c.card.path}:{c.card.line} {c.card.key}" for c in loaded.cards if not c.card.source
    ]
    assert missing == []


def test_sources_are_https_urls(loaded: LoadResult) -> None:
    odd = [
        c.card.key
        for c in loaded.cards
        if not re.match(r"https://[^\s/]+\.[^\s/]+/", c.card.source)
    ]
    assert odd == []


NOTES = ("closed to new customers", "no longer available", "discontinued")


def test_cards_naming_a_closed_service_carry_its_status_note(loaded: LoadResult) -> None:
    statuses = tomllib.loads((content_dir() / "service-status.toml").read_text(encoding="utf-8"))
    missing = []
    for service in statuses["service"]:
        pattern = re.compile(service["pattern"])
        for c in loaded.cards:
            text = c.card.question + "\n" + c.card.answer
            flat = " ".join(text.lower().split())
            if pattern.search(text) and service["note"] not in flat:
                missing.append(f"{c.card.key}: {service['name']}")
    assert missing == []


def test_status_list_names_real_pages() -> None:
    statuses = tomllib.loads((content_dir() / "service-status.toml").read_text(encoding="utf-8"))
    assert len(statuses["service"]) >= 5
    for service in statuses["service"]:
        assert service["source"].startswith("https://docs.aws.amazon.com/"), service["name"]
        re.compile(service["pattern"])
        assert service["note"] in NOTES, service["name"]


def test_answers_are_short(loaded: LoadResult) -> None:
    long = [
        (c.card.key, len(c.card.answer.split()))
        for c in loaded.cards
        if len(c.card.answer.split()) > 140
    ]
    assert long == []
