"""The expertise-matching engine: Korean nouns, BM25 ranking, exclusions and explanations."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.demo.ax2025 import INFRA_TYPES
from app.matching import Pool, add_words, describe, nouns, tokenise

# Sentences of the AX call (app/demo/ax2025.py and the call's announcement in shared/seeds).
SUPPORT = "디지털트윈 산단관리 실증, SaaS 기반 제조 AI 서비스, AX 종합지원센터"
PROPOSAL = "입주기업의 스마트팩토리 전환을 위해 디지털트윈을 활용한 공정 시뮬레이션과 예지보전을 실증한다."


def test_the_domain_compounds_stay_whole_in_real_sentences():
    assert "디지털트윈" in nouns(SUPPORT)
    terms = nouns(PROPOSAL)
    assert {"디지털트윈", "스마트팩토리", "예지보전"} <= set(terms)
    assert "디지털" not in terms and "트윈" not in terms


def test_particles_endings_and_stop_words_are_dropped():
    assert nouns("디지털트윈을") == ["디지털트윈"]
    assert nouns("스마트팩토리에서는 머신비전이") == ["스마트팩토리", "머신비전"]
    # 기반 and 활용 are in every text of the domain; 것 and 수 are one-syllable nouns.
    assert nouns("AI 기반 시스템을 활용할 수 있는 것") == ["ai", "시스템"]


def test_latin_words_are_lower_cased():
    assert nouns("MES와 AI, 그리고 SaaS") == ["mes", "ai", "saas"]
    assert nouns("") == [] and nouns("   ") == []


def test_a_user_word_keeps_a_new_compound_whole():
    assert "공정디지털화" not in nouns("공정디지털화 과제")
    add_words(["공정디지털화"])
    assert "공정디지털화" in nouns("공정디지털화 과제")


def _pool(**weights):
    common = "제조 데이터 분석 품질 관리"
    profiles = {f"common{i}": common for i in range(20)}
    profiles["rare"] = "디지털트윈 예지보전"
    profiles["shared-common"] = "제조 데이터 분석"
    profiles["empty"] = ""
    return Pool.build(profiles, weights=weights or None)


def test_rare_shared_terms_rank_above_common_ones():
    ranked = _pool().rank("제조 데이터 분석 기반 디지털트윈 예지보전", top=5)
    assert ranked[0].key == "rare"
    assert ranked[0].score > ranked[1].score > 0


def test_exclusions_are_honoured():
    ranked = _pool().rank("디지털트윈 예지보전 제조 데이터", top=30, exclude={"rare", "common3", "unknown"})
    keys = [m.key for m in ranked]
    assert "rare" not in keys and "common3" not in keys
    assert "shared-common" in keys


def test_the_explanation_names_the_shared_terms():
    pool = Pool.build({
        "a": "스마트팩토리 구축 경험, 디지털트윈 플랫폼 개발",
        "b": "바이오 의약품 임상",
    })
    [match] = pool.rank(PROPOSAL, top=3)
    assert match.key == "a"
    assert set(match.terms) == {"디지털트윈", "스마트팩토리"}
    assert describe(match) in ("디지털트윈, 스마트팩토리", "스마트팩토리, 디지털트윈")


def test_an_empty_or_unrelated_profile_is_never_recommended():
    pool = Pool.build({"empty": "", "none": None, "other": "바이오 의약품", "match": "디지털트윈"})
    assert [m.key for m in pool.rank("디지털트윈 산단관리", top=10)] == ["match"]
    assert pool.rank("", top=10) == []
    assert pool.rank("디지털트윈", top=0) == []


def test_field_weights_decide_between_keywords_and_old_projects():
    profiles = {
        "keyword": {"keywords": ["머신비전"], "projects": ["물류 창고 관리"]},
        "project": {"keywords": ["물류"], "projects": ["머신비전 검사 장비 납품"]},
    }
    query = "머신비전 기반 품질검사"
    assert Pool.build(profiles, weights={"keywords": 3, "projects": 1}).rank(query)[0].key == "keyword"
    assert Pool.build(profiles, weights={"keywords": 0.2, "projects": 1}).rank(query)[0].key == "project"


def test_infrastructure_type_titles_find_their_specialists():
    profiles = {code: title for code, title, _ in INFRA_TYPES}
    pool = Pool.build(profiles)
    assert pool.rank("디지털트윈 기반 산단관리", top=1)[0].key == "digital_twin"
    assert pool.rank("특화망 5G", top=1)[0].key == "private5g"


WORDS = ["디지털트윈", "스마트팩토리", "예지보전", "머신비전", "협동로봇", "AI", "MES", "물류", "품질", "에너지"]


@settings(max_examples=40, deadline=None)
@given(profiles=st.lists(st.lists(st.sampled_from(WORDS), max_size=6), min_size=1, max_size=12),
       query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
       top=st.integers(min_value=1, max_value=15))
def test_ranking_properties(profiles, query, top):
    pool = Pool.build({i: " ".join(words) for i, words in enumerate(profiles)})
    ranked = pool.rank(" ".join(query), top=top, exclude={0})
    wanted = {w.lower() for w in query}
    assert len(ranked) <= top
    assert all(m.key != 0 for m in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    for m in ranked:
        # Every recommendation shares a term, and its explanation names only shared terms.
        assert m.score > 0 and m.terms and set(m.terms) <= wanted
        assert set(m.terms) <= {w.lower() for w in profiles[m.key]}
    sharing = [i for i, words in enumerate(profiles) if i != 0 and wanted & {w.lower() for w in words}]
    assert len(ranked) == min(top, len(sharing))


def test_a_pool_built_from_stored_terms_ranks_as_one_built_from_texts():
    profiles = {
        "a": {"keywords": ["디지털트윈", "예지보전"], "projects": "스마트팩토리 구축"},
        "b": {"keywords": ["머신비전"], "projects": None},
        "c": "MES 고도화",
    }
    weights = {"keywords": 2}
    stored = tokenise(profiles)
    assert stored["a"]["keywords"] == ["디지털트윈", "예지보전"] and stored["c"] == {"text": ["mes"]}
    from_texts = Pool.build(profiles, weights=weights).rank(PROPOSAL + " MES 머신비전", top=3)
    from_terms = Pool.from_terms(stored, weights=weights).rank(PROPOSAL + " MES 머신비전", top=3)
    assert from_texts == from_terms and len(from_terms) == 3
