"""Ranking of favourites and recent correspondents (app/domain/contacts.py)."""

from __future__ import annotations

from app.domain.contacts import FAVOURITE_WEIGHT, RECENT_DAYS, Contact, boost_weights, merge

DAY = 86_400
NOW = 1_800_000_000


def contact(
    address: str, *, favourite: bool = False, days_ago: float | None = None, count: int = 0
):
    last = None if days_ago is None else int(NOW - days_ago * DAY)
    return Contact(address, None, favourite, last, count)


def test_favourites_rank_above_every_recent_correspondent() -> None:
    weights = boost_weights(
        [
            contact("old.favourite@a.fr", favourite=True),
            contact("daily@a.fr", days_ago=0, count=100),
        ],
        NOW,
    )
    assert weights["old.favourite@a.fr"] >= FAVOURITE_WEIGHT
    assert weights["old.favourite@a.fr"] > weights["daily@a.fr"] > 0


def test_recency_then_frequency_order_recent_correspondents() -> None:
    weights = boost_weights(
        [
            contact("yesterday@a.fr", days_ago=1, count=1),
            contact("last.month@a.fr", days_ago=30, count=5),
            contact("often.last.month@a.fr", days_ago=30, count=40),
        ],
        NOW,
    )
    assert weights["yesterday@a.fr"] > weights["often.last.month@a.fr"]
    assert weights["often.last.month@a.fr"] > weights["last.month@a.fr"]


def test_correspondents_not_written_to_for_a_year_get_no_boost() -> None:
    weights = boost_weights(
        [
            contact("lost@a.fr", days_ago=RECENT_DAYS + 1, count=50),
            contact("never@a.fr"),
            contact("kept.favourite@a.fr", favourite=True, days_ago=RECENT_DAYS + 1),
        ],
        NOW,
    )
    assert set(weights) == {"kept.favourite@a.fr"}


def test_merge_keeps_the_mark_and_the_latest_use() -> None:
    own = [
        Contact("b@a.fr", "Dr B", True, NOW - 10 * DAY, 2),
        Contact("c@a.fr", None, False, NOW - 5 * DAY, 1),
    ]
    sent = [
        Contact("b@a.fr", "B (Sent)", False, NOW - DAY, 7),
        Contact("d@a.fr", "D", False, NOW - 2 * DAY, 1),
    ]
    merged = merge(own, sent)
    assert [c.address for c in merged] == ["b@a.fr", "d@a.fr", "c@a.fr"]
    assert merged[0] == Contact("b@a.fr", "Dr B", True, NOW - DAY, 7)
