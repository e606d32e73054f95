"""The ranking rules, as properties: scores in [0, 1], best first, no excluded id, at most
``limit`` items, deterministic; and the effect of feedback."""

from hypothesis import given
from hypothesis import strategies as st

from recommender import model

languages = st.sampled_from(sorted(model.CATALOGUE))
users = st.text(min_size=1, max_size=20)
limits = st.integers(min_value=0, max_value=model.MAX_LIMIT + 10)
item_ids = st.sampled_from(sorted(model.ITEMS_BY_ID))
feedbacks = st.dictionaries(item_ids, st.sampled_from(list(model.Feedback)), max_size=6)


@given(users, languages, limits, st.sets(item_ids, max_size=6), feedbacks)
def test_ranking_invariants(
    user: str,
    language: str,
    limit: int,
    exclude: set[str],
    feedback: dict[str, model.Feedback],
) -> None:
    ranked = model.rank(user, language, limit, exclude, feedback)
    scores = [one.score for one in ranked]
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores == sorted(scores, reverse=True)
    assert not {one.item.item_id for one in ranked} & exclude
    assert len(ranked) <= model.effective_limit(limit)
    assert all(one.item.language == language for one in ranked)
    assert len({one.item.item_id for one in ranked}) == len(ranked)
    hidden = {i for i, kind in feedback.items() if kind is not model.Feedback.CLICKED}
    assert not {one.item.item_id for one in ranked} & hidden
    assert ranked == model.rank(user, language, limit, exclude, feedback)


@given(users, languages)
def test_the_limit_is_filled_when_there_are_enough_items(user: str, language: str) -> None:
    ranked = model.rank(user, language, 3)
    assert len(ranked) == min(3, len(model.CATALOGUE[language]))


@given(users, item_ids)
def test_a_click_never_lowers_a_score(user: str, item_id: str) -> None:
    item = model.ITEMS_BY_ID[item_id]
    assert model.score(user, item, model.Feedback.CLICKED).score >= model.score(user, item).score


def test_zero_means_the_default_and_big_limits_are_capped() -> None:
    assert model.effective_limit(0) == model.DEFAULT_LIMIT
    assert model.effective_limit(10_000) == model.MAX_LIMIT
