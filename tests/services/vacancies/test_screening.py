"""Discrimination screening of job postings: table-driven cases, contract checks, corpus floors."""

from __future__ import annotations

from collections import Counter

import pytest

from leye.bench.data.screening_corpus import CorpusEntry, load_corpus
from schemas.vocab import FlagCategory
from services.vacancies.screening import (
    AGE_CAP_FLOOR,
    CATEGORIES,
    CATEGORY_LABELS,
    MAX_REASON_CHARS,
    screen_posting,
)


def categories_of(title: str, description: str, **kwargs: object) -> list[str]:
    return [finding.category for finding in screen_posting(title, description, **kwargs)]


# --- One case per category and phrasing (phrasings deliberately not copied from the corpus) -------

DISCRIMINATORY = [
    # gender
    pytest.param("保安", "限男性，做二休一。", {}, "gender", id="限男性"),
    pytest.param("前台", "仅招女生，形象好。", {}, "gender", id="仅招女生"),
    pytest.param("工程师", "同等条件下男性优先。", {}, "gender", id="男性优先"),
    pytest.param("工程师", "同等条件下优先录用男性。", {}, "gender", id="优先录用男性"),
    pytest.param("叉车工", "持证上岗，女士勿扰。", {}, "gender", id="女士勿扰"),
    pytest.param("客服", "岗位要求：1、女，2、高中以上。", {}, "gender", id="bare item 女"),
    pytest.param("女服务员", "负责点餐传菜。", {}, "gender", id="gendered title 女服务员"),
    pytest.param("保洁", "写字楼招保洁阿姨2名。", {}, "gender", id="招保洁阿姨"),
    pytest.param("装卸工", "只要小伙子，日结。", {}, "gender", id="只要小伙子"),
    pytest.param("调度", "本岗位不适合女性。", {}, "gender", id="不适合女性"),
    pytest.param("分拣员", "计件。", {"requirements": {"gender_required": "男"}}, "gender", id="field gender_required"),
    pytest.param("销售", "性别要求男性，能出差。", {}, "gender", id="性别要求男性"),
    # ethnicity
    pytest.param("帮厨", "只要汉族。", {}, "ethnicity", id="只要汉族"),
    pytest.param("钢筋工", "少数民族勿扰。", {}, "ethnicity", id="少数民族勿扰"),
    pytest.param("组长", "民族：汉族。", {}, "ethnicity", id="民族：汉族"),
    pytest.param("理货员", "早晚班。", {"requirements": {"民族": "汉"}}, "ethnicity", id="field 民族"),
    # hukou
    pytest.param("出纳", "限天津户口。", {}, "hukou", id="限天津户口"),
    pytest.param("引导员", "本市户籍优先。", {}, "hukou", id="本市户籍优先"),
    pytest.param("店员", "非本市户籍勿扰。", {}, "hukou", id="非本市户籍勿扰"),
    pytest.param("档案员", "户口所在地须为天津市。", {}, "hukou", id="户口所在地须为天津"),
    pytest.param(
        "主管", "仓储管理。", {"requirements": {"hukou_required": "天津"}}, "hukou", id="field hukou_required"
    ),
    # identity
    pytest.param("文员", "要求城镇户口。", {}, "identity", id="城镇户口"),
    pytest.param("财务", "须为非农业户口。", {}, "identity", id="非农业户口"),
    pytest.param("质检员", "不招农民工。", {}, "identity", id="不招农民工"),
    # disability
    pytest.param("客服", "非残疾人。", {}, "disability", id="非残疾人"),
    pytest.param("普工", "四肢健全，能吃苦。", {}, "disability", id="四肢健全"),
    pytest.param("快递员", "残疾人勿扰。", {}, "disability", id="残疾人勿扰"),
    pytest.param("理货员", "身体无任何残疾。", {}, "disability", id="无任何残疾"),
    # religion
    pytest.param("教师", "无宗教信仰。", {}, "religion", id="无宗教信仰"),
    pytest.param("家政", "信仰基督教者优先。", {}, "religion", id="信仰基督教者优先"),
    pytest.param("厨师", "限佛教徒。", {}, "religion", id="限佛教徒"),
    pytest.param("美工", "要求穆斯林。", {}, "religion", id="要求穆斯林"),
    # marital / childbearing
    pytest.param("会计", "已婚已育优先。", {}, "marital_childbearing", id="已婚已育优先"),
    pytest.param("助理", "未婚，形象好。", {}, "marital_childbearing", id="未婚"),
    pytest.param("专员", "入职两年内不得生育。", {}, "marital_childbearing", id="两年内不得生育"),
    pytest.param("前台", "孕妇勿扰。", {}, "marital_childbearing", id="孕妇勿扰"),
    pytest.param("采购", "近三年无生育计划。", {}, "marital_childbearing", id="无生育计划"),
    pytest.param("工程师", "入职体检含妊娠测试。", {}, "marital_childbearing", id="妊娠测试"),
    pytest.param("回访员", "宝妈优先。", {}, "marital_childbearing", id="宝妈优先 (childbearing)"),
    pytest.param("回访员", "宝妈优先。", {}, "gender", id="宝妈优先 (gender)"),
    # region
    pytest.param("保安", "不要河南人。", {}, "region", id="不要河南人"),
    pytest.param("装修工", "东北人勿扰。", {}, "region", id="东北人勿扰"),
    pytest.param("店长", "限天津本地人。", {}, "region", id="限天津本地人"),
    pytest.param("普工", "湖南、四川籍免谈。", {}, "region", id="四川籍免谈"),
    pytest.param("配送员", "本地人优先。", {}, "region", id="本地人优先"),
    pytest.param("司机", "驾龄五年。", {"requirements": {"籍贯": "天津"}}, "region", id="field 籍贯"),
    # health
    pytest.param("包装工", "乙肝携带者勿扰。", {}, "health", id="乙肝携带者勿扰"),
    pytest.param("理货员", "入职体检含乙肝五项。", {}, "health", id="乙肝五项"),
    pytest.param("服务员", "身体健康，无乙肝。", {}, "health", id="无乙肝"),
    pytest.param("教练", "ＨＩＶ阳性者勿扰。", {}, "health", id="full-width HIV"),
    # age
    pytest.param("运维", "35周岁以下。", {}, "age", id="35周岁以下"),
    pytest.param("导购", "年龄18-30岁。", {}, "age", id="年龄18-30岁"),
    pytest.param("组长", "年龄不超过32岁。", {}, "age", id="不超过32岁"),
    pytest.param("运营", "限95后。", {}, "age", id="限95后"),
    pytest.param("店员", "年轻人优先。", {}, "age", id="年轻人优先"),
    pytest.param("录入员", "双休。", {"age_max": AGE_CAP_FLOOR - 1}, "age", id="age_max 39"),
    pytest.param("暑假工", "15周岁以上均可。", {}, "age", id="under 16 in text"),
    pytest.param("学徒", "包住。", {"age_min": 14}, "age", id="age_min 14"),
]


@pytest.mark.parametrize(("title", "description", "kwargs", "category"), DISCRIMINATORY)
def test_flags_category(title: str, description: str, kwargs: dict, category: str) -> None:
    assert category in categories_of(title, description, **kwargs)


# --- Tricky clean phrasing: each names why it is lawful ---------------------------------------------

CLEAN = [
    pytest.param("普工", "男女不限，18-50周岁。", {}, id="男女不限"),
    pytest.param("理货员", "性别不限，年龄18-60岁。", {}, id="性别不限 年龄18-60岁"),
    pytest.param("普工", "不限性别，男女均可。", {}, id="不限性别"),
    pytest.param("女装店导购", "负责女装销售与陈列。", {}, id="女装 is the product"),
    pytest.param("女鞋专柜导购", "负责女鞋销售。", {}, id="女鞋 is the product"),
    pytest.param("妇产科护士", "持护士执业证书。", {}, id="妇产科"),
    pytest.param("推广专员", "推广女性健康产品。", {}, id="女性健康产品"),
    pytest.param("男士理发师", "擅长男士短发。", {}, id="男士理发 is the clientele"),
    pytest.param("导诊", "负责男科门诊导诊。", {}, id="男科"),
    pytest.param("叉车司机", "女性叉车司机同样欢迎。", {}, id="women welcome"),
    pytest.param("标注员", "欢迎残疾人士应聘，环境无障碍。", {}, id="欢迎残疾人"),
    pytest.param("按摩师", "视力残疾人优先。", {}, id="残疾人优先 is positive action"),
    pytest.param("秩序维护员", "退役军人优先。", {}, id="退役军人优先"),
    pytest.param("客服", "适合宝妈，方便接送孩子。", {}, id="适合宝妈"),
    pytest.param("手工", "宝妈宝爸均可。", {}, id="宝妈宝爸均可"),
    pytest.param("服务员", "民族不限。", {}, id="民族不限"),
    pytest.param("翻译", "优先录用少数民族，熟练掌握维吾尔语。", {}, id="少数民族优先 is 照顾 (art. 28)"),
    pytest.param("服务员", "清真餐厅，尊重民族饮食习惯。", {}, id="清真餐厅"),
    pytest.param("仓管", "不限户籍，提供宿舍。", {}, id="不限户籍"),
    pytest.param("工程师", "符合条件者可解决天津户口。", {}, id="解决天津户口 is a benefit"),
    pytest.param("社保专员", "熟悉天津市户籍及非户籍人员参保政策。", {}, id="户籍 as subject matter"),
    pytest.param("店员", "家住附近者优先。", {}, id="residence near work"),
    pytest.param("施工员", "需长期驻河南郑州项目部。", {}, id="province as workplace"),
    pytest.param("保洁", "法定退休年龄以下。", {}, id="法定退休年龄以下"),
    pytest.param("搬运工", "男60周岁以下，女55周岁以下。", {}, id="retirement caps by sex"),
    pytest.param("电工", f"{AGE_CAP_FLOOR}周岁以下。", {}, id="cap at the floor"),
    pytest.param("操作工", "年满18周岁，未满18周岁者不予录用。", {}, id="未满18周岁 is a floor"),
    pytest.param("录入员", "双休。", {"age_min": 16, "age_max": AGE_CAP_FLOOR}, id="structured 16-40"),
    pytest.param("育婴员", "照护0-3岁婴幼儿。", {}, id="children's ages"),
    pytest.param("托管老师", "辅导6-12岁小学生。", {}, id="pupils' ages"),
    pytest.param("护理员", "照护60岁以上失能老人，50周岁以下。", {}, id="elders' ages"),
    pytest.param("见习生", "就业见习岗位，面向16-24岁失业青年。", {"age_max": 24}, id="就业见习 traineeship"),
    pytest.param(
        "运营助理", "做满半年。", {"age_max": 24, "requirements": {"kind": "traineeship"}}, id="kind traineeship"
    ),
    pytest.param("管培生", "仅限2026届应届毕业生。", {}, id="应届毕业生"),
    pytest.param("司机", "持C1驾照，能适应夜班。", {}, id="持C1驾照 能适应夜班"),
    pytest.param("面点师", "需持健康证。", {}, id="健康证"),
    pytest.param("医药代表", "推广乙肝、丙肝检测试剂。", {}, id="乙肝检测试剂"),
    pytest.param("护士", "负责乙肝疫苗接种。", {}, id="乙肝疫苗"),
    pytest.param("宣传员", "艾滋病防治宣传。", {}, id="艾滋病防治"),
    pytest.param("讲解员", "熟悉佛教文化。", {}, id="佛教文化 is knowledge"),
    pytest.param("普工", "夫妻可安排夫妻房。", {}, id="夫妻房"),
    pytest.param("骑手", "提供单身宿舍。", {}, id="单身宿舍"),
    pytest.param("专员", "享受婚假、产假、育儿假。", {}, id="婚假产假"),
    pytest.param("操作工", "女职工享受三八节福利。", {}, id="女职工福利"),
    pytest.param("宿管员", "男女宿舍分开管理。", {}, id="男女宿舍"),
    pytest.param("普工", "招男女普工若干。", {}, id="招男女普工"),
    pytest.param("研发", "研发针对女性用户的护肤产品。", {}, id="女性用户"),
    pytest.param("装配工", "计件。", {"requirements": {"gender_required": "不限", "hukou_required": "不限"}},
                 id="structured 不限"),
]


@pytest.mark.parametrize(("title", "description", "kwargs"), CLEAN)
def test_clean_phrasing_is_not_flagged(title: str, description: str, kwargs: dict) -> None:
    assert screen_posting(title, description, **kwargs) == []


# --- Contract -----------------------------------------------------------------------------------


def test_finding_carries_label_and_quotes_the_employers_own_words() -> None:
    [finding] = screen_posting("保安员", "因夜间巡逻需要，限男性，持证优先。")
    assert finding.category == "gender"
    assert finding.label == "性别限制"
    assert "“限男性”" in finding.reason
    assert "妇女权益保障法" in finding.reason


def test_quote_keeps_full_width_punctuation_of_the_original() -> None:
    [finding] = screen_posting("客服", "岗位要求：女，20-45岁。")
    assert "“岗位要求：女”" in finding.reason


def test_one_finding_per_category_in_fixed_order() -> None:
    findings = screen_posting(
        "行政助理",
        "25岁以下未婚女性优先，天津户口，限汉族，四肢健全，乙肝携带者勿扰，男性勿扰，已婚勿扰。",
    )
    categories = [finding.category for finding in findings]
    assert len(categories) == len(set(categories))
    assert categories == sorted(categories, key=CATEGORIES.index)
    assert set(categories) == {"gender", "ethnicity", "hukou", "disability", "marital_childbearing", "health", "age"}


def test_reasons_fit_the_event_field_even_for_long_quotes() -> None:
    long_clause = "限男性" + "并且需要具备非常丰富的相关工作经验" * 10
    for finding in screen_posting("岗" * 60, long_clause + "。" + long_clause):
        assert len(finding.reason) <= MAX_REASON_CHARS


def test_same_input_twice_gives_equal_findings_and_inputs_are_untouched() -> None:
    requirements = {"gender_required": "男", "education": "大专"}
    first = screen_posting("司机", "限天津本地人，35岁以下。", age_max=35, requirements=requirements)
    second = screen_posting("司机", "限天津本地人，35岁以下。", age_max=35, requirements=requirements)
    assert first == second
    assert requirements == {"gender_required": "男", "education": "大专"}


def test_labels_match_the_flag_category_code_list() -> None:
    codes = {member.value: member.label for member in FlagCategory}
    for category in CATEGORIES:
        assert codes[category] == CATEGORY_LABELS[category]


@pytest.mark.parametrize(
    ("age_max", "flagged"),
    [
        pytest.param(AGE_CAP_FLOOR - 1, True, id="39 flagged"),
        pytest.param(AGE_CAP_FLOOR, False, id="40 lawful"),
        pytest.param(None, False, id="no cap"),
    ],
)
def test_structured_age_cap_floor(age_max: int | None, flagged: bool) -> None:
    assert ("age" in categories_of("文员", "双休。", age_max=age_max)) is flagged


def test_traineeship_exemption_does_not_cover_child_labour_or_other_categories() -> None:
    categories = categories_of("就业见习岗位", "见习补贴，限男性。", age_min=15, age_max=24)
    assert categories == ["gender", "age"]


# --- Corpus floors --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[CorpusEntry]:
    return load_corpus()


@pytest.fixture(scope="module")
def screened(corpus: list[CorpusEntry]) -> list[tuple[CorpusEntry, set[str]]]:
    return [(entry, {finding.category for finding in entry.screen()}) for entry in corpus]


def test_corpus_is_large_balanced_and_covers_every_category(corpus: list[CorpusEntry]) -> None:
    discriminatory = [entry for entry in corpus if entry.discriminatory]
    assert len(corpus) >= 60
    assert 0.4 <= len(discriminatory) / len(corpus) <= 0.6
    per_category = Counter(category for entry in discriminatory for category in entry.categories)
    assert all(per_category[category] >= 3 for category in CATEGORIES), per_category


def test_corpus_entry_precision_and_recall(screened: list[tuple[CorpusEntry, set[str]]]) -> None:
    true_positives = [entry.id for entry, found in screened if found and entry.discriminatory]
    false_positives = [entry.id for entry, found in screened if found and not entry.discriminatory]
    false_negatives = [entry.id for entry, found in screened if not found and entry.discriminatory]
    precision = len(true_positives) / (len(true_positives) + len(false_positives))
    recall = len(true_positives) / (len(true_positives) + len(false_negatives))
    assert precision >= 0.9, f"precision {precision:.3f}; false positives: {false_positives}"
    assert recall >= 0.9, f"recall {recall:.3f}; missed: {false_negatives}"


def test_corpus_category_recall_and_precision(screened: list[tuple[CorpusEntry, set[str]]]) -> None:
    expected = sum(len(entry.categories) for entry, _ in screened)
    hits = sum(len(entry.categories & found) for entry, found in screened)
    reported = sum(len(found) for _, found in screened)
    mismatches = {entry.id: sorted(found ^ entry.categories) for entry, found in screened if found != entry.categories}
    assert hits / expected >= 0.9, f"category recall {hits / expected:.3f}; mismatches: {mismatches}"
    assert hits / reported >= 0.9, f"category precision {hits / reported:.3f}; mismatches: {mismatches}"
