"""Korean place names for English readers: regions and industrial complexes, romanised.

The names an English reader meets most (the 17 regions, the industrial complexes most often
named) are written as they are officially spelt; any other name is romanised by the Revised
Romanization of Korean, syllable by syllable (without its sound-change rules: a name read aloud
right is not required, one read at all is), and a trailing "산업단지" becomes "Industrial Complex",
written short or long (the short forms are reference data: ``app/reference/place_variants.csv``).
"""
from __future__ import annotations

from app.core import reference

REGIONS = {
    "서울": "Seoul", "부산": "Busan", "대구": "Daegu", "인천": "Incheon", "광주": "Gwangju", "대전": "Daejeon",
    "울산": "Ulsan", "세종": "Sejong", "경기": "Gyeonggi", "강원": "Gangwon", "충북": "Chungbuk",
    "충남": "Chungnam", "전북": "Jeonbuk", "전남": "Jeonnam", "경북": "Gyeongbuk", "경남": "Gyeongnam",
    "제주": "Jeju",
    "서울특별시": "Seoul", "부산광역시": "Busan", "대구광역시": "Daegu", "인천광역시": "Incheon",
    "광주광역시": "Gwangju", "대전광역시": "Daejeon", "울산광역시": "Ulsan", "세종특별자치시": "Sejong",
    "경기도": "Gyeonggi-do", "강원도": "Gangwon-do", "강원특별자치도": "Gangwon", "충청북도": "Chungcheongbuk-do",
    "충청남도": "Chungcheongnam-do", "전라북도": "Jeollabuk-do", "전북특별자치도": "Jeonbuk",
    "전라남도": "Jeollanam-do", "경상북도": "Gyeongsangbuk-do", "경상남도": "Gyeongsangnam-do",
    "제주특별자치도": "Jeju",
}
COMPLEXES = {
    "반월시화": "Banwol-Sihwa", "창원": "Changwon", "인천남동": "Incheon Namdong", "구미": "Gumi", "여수": "Yeosu",
    "광주첨단": "Gwangju Cheomdan", "대구성서": "Daegu Seongseo", "울산미포": "Ulsan Mipo",
    "부산명지녹산": "Busan Myeongji-Noksan", "군산": "Gunsan", "포항": "Pohang", "대전": "Daejeon",
    "대불": "Daebul", "천안제3": "Cheonan No. 3", "청주": "Cheongju", "광양": "Gwangyang",
    "신평장림": "Sinpyeong-Jangnim", "한국수출(인천)": "Korea Export (Incheon)", "춘천후평": "Chuncheon Hupyeong",
    "사천1·2": "Sacheon 1·2", "전주1·2": "Jeonju 1·2", "아산부곡": "Asan Bugok", "충주제1": "Chungju No. 1",
    "마산자유무역지역": "Masan Free Trade Zone",
}
_SUFFIXES = (("국가산업단지", "National Industrial Complex"), ("일반산업단지", "General Industrial Complex"),
             ("산업단지", "Industrial Complex"))

_INITIAL = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
_VOWEL = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
          "yu", "eu", "ui", "i"]
_FINAL = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
          "ng", "t", "t", "k", "t", "p", "t"]


def revised(text: str) -> str:
    """``text`` in the Revised Romanization, syllable by syllable; other characters as they are."""
    out: list[str] = []
    previous_final = 0
    for ch in text:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            out.append(ch)
            previous_final = 0
            continue
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        head = _INITIAL[initial]
        if initial == 5:  # ㄹ: "l" after ㄹ (울릉 Ulleung), "r" elsewhere
            head = "l" if previous_final == 8 else "r"
        out.append(head + _VOWEL[vowel] + _FINAL[final])
        previous_final = final
    words = "".join(out).split(" ")
    return " ".join(w[:1].upper() + w[1:] for w in words)


def place(name: str | None) -> str:
    """A region's or complex's name for an English reader."""
    name = (name or "").strip()
    if not name:
        return ""
    known = REGIONS.get(name) or COMPLEXES.get(name)
    if known:
        return known
    for long, short in reference.place_variants():
        if name.endswith(short) and name != short:
            name = name[:-len(short)] + long  # 성서 + short form → 성서산업단지
            break
    for suffix, english in _SUFFIXES:
        if name.endswith(suffix) and name != suffix:
            return f"{place(name[:-len(suffix)].strip())} {english}"
    return revised(name)


def place_for_reader(name: str | None) -> str:
    """The Jinja filter ``place``: the name as it is for Korean readers, romanised for English ones."""
    from flask_babel import get_locale  # only the filter needs a reader

    locale = get_locale()
    return place(name) if locale is not None and locale.language == "en" else (name or "")
