"""The pure review-scoring function: duplicates dropped, mean and ranking right."""

from hypothesis import given
from hypothesis import strategies as st

from catalog.fanout.reviews import (
    Review,
    jaccard,
    summarise_reviews,
    wilson_lower_bound,
    words,
)

reviews_strategy = st.lists(
    st.builds(
        Review,
        rating=st.integers(1, 5),
        text=st.text(alphabet="abc de", max_size=20),
        helpful=st.integers(0, 100),
        unhelpful=st.integers(0, 100),
    ),
    max_size=30,
)


def test_near_duplicates_are_dropped_keeping_the_first() -> None:
    first = Review(rating=5, text="Great mug, big handle", helpful=3, unhelpful=0)
    copy = Review(rating=1, text="great MUG big handle!", helpful=9, unhelpful=0)
    other = Review(rating=3, text="It broke on day two", helpful=0, unhelpful=0)
    summary = summarise_reviews([first, copy, other])
    assert (summary.count, summary.duplicates) == (2, 1)
    assert summary.average_rating == 4.0
    assert summary.top == (first, other)


def test_no_reviews_means_no_average() -> None:
    summary = summarise_reviews([])
    assert (summary.count, summary.duplicates, summary.average_rating, summary.top) == (
        0,
        0,
        None,
        (),
    )


def test_many_votes_outrank_few() -> None:
    assert wilson_lower_bound(90, 100) > wilson_lower_bound(1, 1)
    assert wilson_lower_bound(0, 0) == 0.0


def test_jaccard_of_words() -> None:
    assert jaccard(words("a b"), words("B A")) == 1.0
    assert jaccard(words("a b"), words("c d")) == 0.0
    assert jaccard(words(""), words("")) == 1.0


@given(reviews_strategy)
def test_every_review_is_kept_or_counted_as_duplicate(reviews: list[Review]) -> None:
    summary = summarise_reviews(reviews)
    assert summary.count + summary.duplicates == len(reviews)
    assert len(summary.top) == min(3, summary.count)
    if summary.average_rating is not None:
        assert 1 <= summary.average_rating <= 5


@given(reviews_strategy)
def test_the_kept_reviews_have_no_duplicates_left(reviews: list[Review]) -> None:
    kept: list[Review] = []
    for review in reviews:
        if not any(jaccard(words(review.text), words(k.text)) >= 0.8 for k in kept):
            kept.append(review)
    assert summarise_reviews(kept).duplicates == 0
    assert summarise_reviews(kept).count == summarise_reviews(reviews).count


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_the_wilson_bound_is_a_probability_below_the_observed_share(
    positive: int, negative: int
) -> None:
    total = positive + negative
    bound = wilson_lower_bound(positive, total)
    assert 0.0 <= bound <= 1.0
    if total:
        assert bound <= positive / total + 1e-12
