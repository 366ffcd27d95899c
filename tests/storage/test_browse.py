"""The Browse search language on a real library (the small pack of ``tests/conftest.py``).

Cards: t-firehose and t-kds (domain 1, task 1.2), t-eta (3.4), t-lasso (domain 3, no
task) and t-recall (3.5). All are new until a test answers them.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select, update

from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services import browse as browse_service
from mlstudy.storage.browse import (
    SORTS,
    count_matches,
    parse_query,
    rows_for,
    search_ids,
    search_page,
)
from mlstudy.storage.schema import Card, CardState, Exam
from tests.conftest import FakeClock

ALL = {"t-firehose", "t-kds", "t-eta", "t-lasso", "t-recall"}


def ids_by_key(library: Library) -> dict[str, int]:
    with library.engine.connect() as conn:
        return {key: cid for cid, key in conn.execute(select(Card.id, Card.key))}


def find(library: Library, query: str, sort: str = "due", descending: bool = False) -> list[str]:
    """Keys of the matches, in order."""
    with library.engine.connect() as conn:
        ids = search_ids(conn, library.exam_id(), query, library.today(), sort, descending)
        return [row.key for row in rows_for(conn, ids, library.exam_id())]


def set_card(library: Library, key: str, **values: object) -> None:
    with library.engine.begin() as conn:
        conn.execute(update(Card).where(Card.key == key).values(**values))


def answer(library: Library, key: str, grade: int = 5) -> None:
    library.answer(ids_by_key(library)[key], grade)


def test_empty_query_lists_every_card(library: Library) -> None:
    assert set(find(library, "")) == ALL
    assert set(find(library, "   ")) == ALL


def test_free_text_matches_question_answer_or_key_in_any_case(library: Library) -> None:
    assert find(library, "XGBOOST") == ["t-eta"]  # question
    assert find(library, "shrinkage") == ["t-eta"]  # answer only
    assert find(library, "t-kds") == ["t-kds"]  # key only
    assert find(library, "parquet") == ["t-firehose"]


def test_every_word_must_match(library: Library) -> None:
    assert find(library, "learning rate") == ["t-eta"]
    assert find(library, "learning parquet") == []


def test_quoted_phrase_matches_words_together(library: Library) -> None:
    assert find(library, "format record") == ["t-firehose"]
    assert find(library, '"record format"') == ["t-firehose"]
    assert find(library, '"format record"') == []
    assert find(library, '"record format') == ["t-firehose"]  # closing quote forgotten


def test_like_wildcards_are_literal(library: Library) -> None:
    # Unescaped, "%" and "_" would match every card.
    assert find(library, "%") == []
    assert find(library, "_") == []
    assert find(library, "TP / (TP + FN)") == ["t-recall"]


def test_domain_and_task(library: Library) -> None:
    assert set(find(library, "domain:3")) == {"t-eta", "t-lasso", "t-recall"}
    assert set(find(library, "-domain:3")) == {"t-firehose", "t-kds"}
    assert find(library, "task:3.4") == ["t-eta"]
    assert set(find(library, "task:1.2")) == {"t-firehose", "t-kds"}
    # t-lasso has no task: a negated task filter still shows it.
    assert set(find(library, "-task:3.4")) == ALL - {"t-eta"}


def test_tag_matches_whole_tags_only(library: Library) -> None:
    set_card(library, "t-firehose", tags="streaming,firehose")
    set_card(library, "t-kds", tags="kinesis-streaming")
    set_card(library, "t-eta", tags="xgboost,streaming")
    set_card(library, "t-lasso", tags="")
    set_card(library, "t-recall", tags="metrics")
    assert set(find(library, "tag:streaming")) == {"t-firehose", "t-eta"}
    assert set(find(library, "tag:STREAMING")) == {"t-firehose", "t-eta"}
    assert find(library, "tag:stream") == []
    assert find(library, "tag:firehose") == ["t-firehose"]
    assert set(find(library, "-tag:streaming")) == {"t-kds", "t-lasso", "t-recall"}


def test_is_new_suspended_and_negation(library: Library) -> None:
    answer(library, "t-eta")
    library.set_suspended([ids_by_key(library)["t-kds"]], True)
    assert set(find(library, "is:new")) == ALL - {"t-eta"}
    assert find(library, "-is:new") == ["t-eta"]
    assert find(library, "is:suspended") == ["t-kds"]
    assert set(find(library, "-is:suspended")) == ALL - {"t-kds"}
    assert find(library, "is:new is:suspended domain:1") == ["t-kds"]


def test_is_due_uses_the_effective_due_day(library: Library, clock: FakeClock) -> None:
    answer(library, "t-eta")  # due 2026-11-03
    answer(library, "t-recall")
    answer(library, "t-lasso")
    clock.advance(days=1)
    answer(library, "t-recall")  # second pass: due in 6 days
    assert library.today() == date(2026, 11, 3)
    assert set(find(library, "is:due")) == {"t-eta", "t-lasso"}
    # A new card has no due day and is "not due", not unknown.
    assert set(find(library, "-is:due")) == {"t-recall", "t-firehose", "t-kds"}
    # The exam-aware due day wins over SM-2's when there is one.
    recall = ids_by_key(library)["t-recall"]
    with library.engine.begin() as conn:
        conn.execute(
            update(CardState).where(CardState.card_id == recall).values(exam_due_day="2026-11-01")
        )
    assert set(find(library, "is:due")) == {"t-eta", "t-lasso", "t-recall"}


def test_archived_cards_are_hidden_unless_asked_for(library: Library) -> None:
    set_card(library, "t-lasso", archived=True)
    assert set(find(library, "")) == ALL - {"t-lasso"}
    assert find(library, "lasso") == []
    assert find(library, "is:archived") == ["t-lasso"]
    assert find(library, "is:archived domain:3") == ["t-lasso"]
    assert set(find(library, "-is:archived")) == ALL - {"t-lasso"}


def test_negated_free_text_and_phrase(library: Library) -> None:
    assert set(find(library, "-streaming")) == ALL - {"t-firehose"}
    assert set(find(library, 'domain:1 -"write limit"')) == {"t-firehose"}


def test_other_exams_cards_are_not_searched(library: Library) -> None:
    with library.engine.begin() as conn:
        other = conn.execute(
            insert(Exam).values(code="OTHER", name="Other exam").returning(Exam.id)
        ).scalar_one()
        conn.execute(
            insert(Card).values(
                key="o-xgboost",
                exam_id=other,
                domain=3,
                question="XGBoost again?",
                answer="Yes.",
                file="o.md",
                line=1,
                content_hash="x",
                created_at="2026-01-01T00:00:00+00:00",
            )
        )
    assert find(library, "xgboost") == ["t-eta"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("foo:bar", "foo:"),
        ("domain:1 https://example.com", "https:"),
        ("-colour:red", "colour:"),
        ("is:pending", "is:pending"),
        ("domain:three", "domain:three"),
        ("domain:", "domain:"),
        ("tag:", "tag:"),
    ],
)
def test_bad_terms_raise_a_user_error_naming_them(library: Library, query: str, named: str) -> None:
    with pytest.raises(UserError, match=named):
        find(library, query)


def test_text_with_a_colon_is_searchable(library: Library) -> None:
    assert find(library, '"foo:bar"') == []
    assert find(library, "s3:GetObject") == []  # not letters only: plain text, no error
    assert [t.key for t in parse_query('tag:"two words" -is:due x')] == ["tag", "is", ""]


def test_sort_by_question_both_ways_ignoring_case(library: Library) -> None:
    set_card(library, "t-recall", question="what is recall?")
    order = ["t-lasso", "t-kds", "t-eta", "t-recall", "t-firehose"]
    assert find(library, "", sort="question") == order
    assert find(library, "", sort="question", descending=True) == order[::-1]


def test_sort_by_due_puts_new_cards_last_both_ways(library: Library, clock: FakeClock) -> None:
    answer(library, "t-eta")  # due 11-03
    clock.advance(days=1)
    answer(library, "t-recall")  # due 11-04
    ids = ids_by_key(library)
    new_in_id_order = sorted(ALL - {"t-eta", "t-recall"}, key=ids.__getitem__)
    assert find(library, "") == ["t-eta", "t-recall", *new_in_id_order]
    assert find(library, "", descending=True) == ["t-recall", "t-eta", *new_in_id_order[::-1]]


def test_sort_by_schedule_numbers(library: Library, clock: FakeClock) -> None:
    answer(library, "t-eta", 5)  # ease 2.6, interval 1
    answer(library, "t-recall", 3)  # ease 2.36
    answer(library, "t-lasso", 1)  # lapse; ease unchanged 2.5
    assert find(library, "domain:3", sort="ease") == ["t-recall", "t-lasso", "t-eta"]
    assert find(library, "domain:3", sort="lapses", descending=True)[0] == "t-lasso"
    clock.advance(days=1)
    answer(library, "t-eta", 5)  # interval 6
    assert find(library, "domain:3", sort="interval", descending=True)[0] == "t-eta"
    assert find(library, "domain:3", sort="reviews", descending=True)[0] == "t-eta"
    assert find(library, "", sort="domain")[:2] == sorted(
        ["t-firehose", "t-kds"], key=ids_by_key(library).__getitem__
    )
    assert find(library, "", sort="key") == sorted(ALL)
    assert find(library, "", sort="task")[-1] == "t-lasso"  # no task: last


def test_unknown_sort_is_a_programming_error(library: Library) -> None:
    with pytest.raises(ValueError, match="cannot sort by 'colour'"):
        find(library, "", sort="colour")


def test_limit_offset_and_count(library: Library) -> None:
    today = library.today()
    with library.engine.connect() as conn:
        page = search_ids(conn, library.exam_id(), "", today, "key", False, limit=2, offset=1)
        assert [row.key for row in rows_for(conn, page, library.exam_id())] == [
            "t-firehose",
            "t-kds",
        ]
        for query in ("", "domain:3", "-domain:3", "nothing-like-this", "is:due"):
            count = count_matches(conn, library.exam_id(), query, today)
            assert count == len(search_ids(conn, library.exam_id(), query, today))
        assert count_matches(conn, library.exam_id(), "domain:3", today) == 3


def test_rows_for_keeps_order_and_fills_new_card_defaults(library: Library) -> None:
    ids = ids_by_key(library)
    answer(library, "t-eta", 5)
    set_card(library, "t-firehose", tags="streaming,firehose")
    with library.engine.connect() as conn:
        rows = rows_for(conn, [ids["t-firehose"], 99999, ids["t-eta"]], library.exam_id())
    assert [row.key for row in rows] == ["t-firehose", "t-eta"]
    firehose, eta = rows
    assert firehose.tags == ("streaming", "firehose")
    assert (firehose.due, firehose.interval, firehose.easiness, firehose.reviews) == (
        None,
        0,
        250,
        0,
    )
    assert (eta.due, eta.interval, eta.easiness, eta.reviews, eta.lapses) == (
        "2026-11-03",
        1,
        260,
        1,
        0,
    )
    assert (eta.domain, eta.task, eta.suspended, eta.archived) == (3, "3.4", False, False)


def test_service_search_pages_and_totals(library: Library) -> None:
    result = browse_service.search(library, "", sort="key", offset=3, limit=10)
    assert result.total == 5
    assert [row.key for row in result.rows] == ["t-lasso", "t-recall"]
    assert browse_service.matching_ids(library, "domain:1", sort="key") == [
        ids_by_key(library)[k] for k in ("t-firehose", "t-kds")
    ]
    with pytest.raises(UserError, match="nope:"):
        browse_service.search(library, "nope:x")


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("query", ["", "domain:3", "-is:new", "the", "nothing-like-this"])
def test_search_page_agrees_with_search_ids_and_count(
    library: Library, clock: FakeClock, query: str, sort: str
) -> None:
    set_card(library, "t-recall", question="what is recall?")
    answer(library, "t-eta", 5)
    answer(library, "t-lasso", 2)
    clock.advance(days=1)
    answer(library, "t-eta", 4)
    exam_id, today = library.exam_id(), library.today()
    with library.engine.connect() as conn:
        for descending in (False, True):
            every = search_ids(conn, exam_id, query, today, sort, descending)
            total = count_matches(conn, exam_id, query, today)
            assert search_page(conn, exam_id, query, today, sort, descending, 2) == (
                total,
                every[:2],
            )
            assert search_page(conn, exam_id, query, today, sort, descending, 2, 2) == (
                total,
                every[2:4],
            )
            assert search_page(conn, exam_id, query, today, sort, descending, 2, 9) == (total, [])


def test_free_text_uses_the_word_index_by_prefix_and_follows_edits(library: Library) -> None:
    assert find(library, "shrink") == ["t-eta"]  # a word's beginning
    assert find(library, "hrinkage") == []  # not the middle of a word
    assert find(library, "SHRINKAGE") == ["t-eta"]  # any case
    set_card(library, "t-lasso", answer="XGBoost has an L1 term too.")
    assert set(find(library, "xgb")) == {"t-eta", "t-lasso"}  # "XGBoost" begins with it
    assert find(library, "l1") == ["t-lasso"]
    set_card(library, "t-lasso", answer="Lasso regression.")
    set_card(library, "t-lasso", answer="Lasso regression (shrinks coefficients).")
    assert set(find(library, "shrink")) == {"t-eta", "t-lasso"}
    assert set(find(library, "-shrink")) == ALL - {"t-eta", "t-lasso"}
