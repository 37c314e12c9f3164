"""Synthetic people, employers and vacancies for Xiqing district, deterministic for a seed.

Everything here is invented: names are drawn from common surnames and given-name characters, ID
numbers and credit codes are well-formed (their check characters are computed) but belong to nobody,
phone numbers use the 1xx mobile shape. Proportions are plausible, not official statistics:
街镇 weights follow the rough size of each 街镇, and the employer mix is manufacturing-heavy as
Xiqing's economy is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from schemas.fields import RETIREMENT_AGE_MAX, max_working_age
from schemas.ids import credit_code_check_char, id_check_char
from schemas.reference import STREETS, load_communities
from schemas.vocab import Education, Gender, HouseholdRelation, KeyGroup, VacancyKind

# Rough relative size of each 街镇 (resident population, in ten-thousands; approximate).
STREET_WEIGHTS: dict[str, float] = {
    "120111001": 6,  # 西营门街道
    "120111002": 18,  # 李七庄街道
    "120111003": 5,  # 赤龙南街道
    "120111004": 4,  # 赤龙北街道
    "120111005": 6,  # 津门湖街道
    "120111100": 22,  # 中北镇
    "120111101": 16,  # 杨柳青镇
    "120111102": 5,  # 辛口镇
    "120111103": 12,  # 张家窝镇
    "120111104": 9,  # 精武镇
    "120111105": 8,  # 大寺镇
    "120111106": 4,  # 王稳庄镇
}
# 社区/村 per 街镇: the demo list shipped as reference data (schemas/reference/xiqing_communities.json,
# made up: four per 街镇, 东西南北, in code order), enough to exercise station routing.
COMMUNITY_QUARTERS = "东西南北"
_DEMO_COMMUNITIES = load_communities()


def communities(street_code: str) -> list[str]:
    """Every 社区/村 the simulator's people of a 街镇 live in, in a fixed order (东西南北)."""
    return [c.name for c in _DEMO_COMMUNITIES.values() if c.street_code == street_code]


def community_code(street_code: str, name: str) -> str:
    """The code of the demo list's 社区/村 ``name`` in the 街镇 (households are registered by code)."""
    return next(c.code for c in _DEMO_COMMUNITIES.values() if c.street_code == street_code and c.name == name)


# Household (户) sizes, 1–5 members: a mean of about 2.5, as Tianjin's census households (the 2020
# census gives 2.4 for the city; a rough shape, not an official distribution).
HOUSEHOLD_SIZES: dict[int, float] = {1: 22, 2: 33, 3: 25, 4: 13, 5: 7}

# GB/T 4754-2017 section → (weight, a division of that section, typical job titles, typical skills).
INDUSTRIES: dict[str, tuple[float, str, tuple[str, ...], tuple[str, ...]]] = {
    "C": (
        34,
        "36",
        ("数控车床操作工", "汽车零部件装配工", "质检员", "电工", "焊工"),
        ("数控车床", "装配", "质检", "电工", "焊接"),
    ),
    "E": (8, "47", ("施工员", "钢筋工", "安全员", "管道工"), ("施工管理", "钢筋", "安全生产", "管道安装")),
    "F": (12, "52", ("门店导购", "理货员", "电商运营"), ("销售", "理货", "电商运营")),
    "G": (7, "59", ("仓库管理员", "快递分拣员", "货车司机"), ("仓储管理", "分拣", "驾驶")),
    "H": (6, "62", ("厨师", "餐厅服务员"), ("烹饪", "餐饮服务")),
    "I": (5, "65", ("软件测试工程师", "运维工程师", "数据标注员"), ("软件测试", "Linux运维", "数据标注")),
    "L": (7, "72", ("行政助理", "人力资源专员", "保洁员"), ("办公软件", "人力资源", "保洁")),
    "M": (3, "74", ("实验员", "检测工程师"), ("化学分析", "检测")),
    "K": (2, "70", ("物业管理员", "房产经纪人"), ("物业管理", "房产销售")),
    "O": (6, "80", ("家政服务员", "养老护理员", "维修工"), ("家政服务", "养老护理", "家电维修")),
    "Q": (4, "84", ("护士", "康复治疗师"), ("护理", "康复治疗")),
    "P": (3, "83", ("幼儿教师", "培训讲师"), ("幼儿教育", "职业培训")),
    "A": (3, "01", ("蔬菜种植技术员", "农机手"), ("种植", "农机操作")),
}

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏飞欣怡佳琪子涵梓轩雨桐一诺思远晨阳博文"
)
COMPANY_WORDS = ("津西", "青城", "运河", "华北", "新港", "德润", "恒信", "瑞丰", "中兴", "海泰", "盛达", "宏图")
COMPANY_KINDS = {
    "C": "制造", "E": "建设工程", "F": "商贸", "G": "物流", "H": "餐饮管理", "I": "信息技术", "L": "企业管理服务",
    "M": "检测技术", "K": "物业服务", "O": "家政服务", "Q": "康复医疗", "P": "教育咨询", "A": "农业发展",
}


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str
    gender: Gender
    birth_date: date
    street_code: str
    community: str
    education: Education
    skills: tuple[tuple[str, int], ...]
    key_groups: tuple[KeyGroup, ...]
    desired_industry: str
    desired_salary: tuple[int, int]
    graduation_year: int | None

    def age_on(self, day: date) -> int:
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)


@dataclass(frozen=True)
class Employer:
    credit_code: str
    name: str
    industry_section: str
    industry_division: str
    street_code: str
    staff: int


@dataclass(frozen=True)
class VacancyDraft:
    employer: Employer
    title: str
    description: str
    kind: VacancyKind
    headcount: int
    salary: tuple[int, int]
    education_required: Education | None
    skills_required: tuple[tuple[str, int], ...]
    valid_days: int


@dataclass
class Population:
    """Draws people, employers and vacancies from one seeded random generator."""

    seed: int
    today: date = field(default_factory=date.today)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self._sequence = 0
        self.streets = list(STREET_WEIGHTS)
        self.street_weights = list(STREET_WEIGHTS.values())

    # -- drawing helpers ----------------------------------------------------------------------------

    def street(self, only: str | None = None) -> str:
        return only or self.rng.choices(self.streets, self.street_weights)[0]

    def community(self, street_code: str) -> str:
        return self.rng.choice(communities(street_code))

    def industry(self) -> str:
        sections = list(INDUSTRIES)
        return self.rng.choices(sections, [INDUSTRIES[s][0] for s in sections])[0]

    # -- people ---------------------------------------------------------------------------------------

    def person(self, *, street_code: str | None = None, graduate: bool = False, gender: Gender | None = None,
               age: int | None = None, community: str | None = None, surname: str | None = None) -> Person:
        """A person; a household's members pass their gender, age (working age for that gender), 社区
        and, for the head's children, the head's surname."""
        rng = self.rng
        gender = gender or rng.choice((Gender.MALE, Gender.FEMALE))
        max_age = max_working_age(gender)
        if age is None:
            age = rng.randint(21, 24) if graduate else min(max_age, int(rng.triangular(18, max_age, 32)))
        birth = self.today - timedelta(days=age * 365 + rng.randint(10, 350))
        street = self.street(street_code)
        self._sequence += 1
        sex_digit = (1 if gender is Gender.MALE else 2) + 2 * rng.randint(0, 3)  # odd = male, even = female
        first17 = f"120111{birth:%Y%m%d}{self._sequence % 100:02d}{sex_digit}"
        education = (
            rng.choice((Education.UNDERGRADUATE, Education.JUNIOR_COLLEGE, Education.POSTGRADUATE))
            if graduate
            else rng.choices(
                (
                    Education.JUNIOR_HIGH,
                    Education.SENIOR_HIGH,
                    Education.VOCATIONAL_SECONDARY,
                    Education.JUNIOR_COLLEGE,
                    Education.UNDERGRADUATE,
                ),
                (25, 20, 20, 20, 15),
            )[0]
        )
        industry = self.industry()
        skill_pool = INDUSTRIES[industry][3]
        skills = tuple(
            (s, rng.randint(1, 5)) for s in rng.sample(skill_pool, k=min(len(skill_pool), rng.randint(1, 2)))
        )
        groups = {KeyGroup.GRADUATE, KeyGroup.GRADUATE_UNEMPLOYED} if graduate else set()
        groups.add(KeyGroup.MIGRANT if rng.random() < 0.3 else KeyGroup.RESIDENT)
        if age >= (40 if gender is Gender.FEMALE else 50) and rng.random() < 0.5:
            groups.add(KeyGroup.AGE_4050)
        if STREETS[street].kind == "镇" and rng.random() < 0.15:
            groups.add(KeyGroup.RURAL_SURPLUS)
        if rng.random() < 0.03:
            groups.add(KeyGroup.VETERAN)
        if rng.random() < 0.02:
            groups.add(KeyGroup.DISABLED)
        if rng.random() < 0.02:
            groups.add(KeyGroup.ZERO_EMPLOYMENT_FAMILY)
        low = rng.randrange(3000, 7000, 500)
        return Person(
            name=(surname or rng.choice(SURNAMES)) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
            id_number=first17 + id_check_char(first17),
            phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
            gender=gender,
            birth_date=birth,
            street_code=street,
            community=community or self.community(street),
            education=education,
            skills=skills,
            key_groups=tuple(sorted(groups)),
            desired_industry=industry,
            desired_salary=(low, low + rng.randrange(1000, 4000, 500)),
            graduation_year=self.today.year if graduate else None,
        )

    # -- employers and vacancies ----------------------------------------------------------------------

    def employer(self, *, street_code: str | None = None, section: str | None = None) -> Employer:
        rng = self.rng
        section = section or self.industry()
        org = "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=9))
        first17 = f"91120111{org}"
        staff = int(rng.paretovariate(1.3) * 20)
        name = f"天津{rng.choice(COMPANY_WORDS)}{COMPANY_KINDS[section]}有限公司"
        return Employer(
            credit_code=first17 + credit_code_check_char(first17),
            name=name,
            industry_section=section,
            industry_division=INDUSTRIES[section][1],
            street_code=self.street(street_code),
            staff=max(8, min(staff, 5000)),
        )

    def vacancy(self, employer: Employer) -> VacancyDraft:
        rng = self.rng
        _, _, titles, skills = INDUSTRIES[employer.industry_section]
        kind = rng.choices(list(VacancyKind), (78, 10, 5, 7))[0]
        low = rng.randrange(3500, 9000, 500) if kind is not VacancyKind.PUBLIC_WELFARE else 2320
        title = rng.choice(titles)
        description = (
            f"{title}，{rng.choice(('男女不限', '欢迎应届毕业生', '有经验者优先', '提供食宿'))}，五险一金，双休。"
        )
        education = rng.choice((None, Education.JUNIOR_HIGH, Education.SENIOR_HIGH, Education.JUNIOR_COLLEGE))
        if kind is VacancyKind.TRAINEESHIP:
            education = Education.JUNIOR_COLLEGE
        return VacancyDraft(
            employer=employer,
            title=title,
            description=description,
            kind=kind,
            headcount=rng.randint(1, 10),
            salary=(low, low + rng.randrange(500, 4000, 500)),
            education_required=education,
            skills_required=((rng.choice(skills), rng.randint(1, 3)),),
            valid_days=rng.choice((15, 30, 60, 90)),
        )

    # -- households -----------------------------------------------------------------------------------

    def household(self, *, street_code: str | None = None) -> list[tuple[HouseholdRelation, Person]]:
        """A household (户) of 1–5 registered members in one 社区, the head first.

        Sizes follow HOUSEHOLD_SIZES (mean about 2.5, as Tianjin's census households). Every member
        must be a registered person, so every member is of working age: the relations that fit the
        head's age are drawn (a child is at least 16 and 20 years younger than the head, a parent 20
        years older and still of working age), and a size no relation fits is cut short.
        """
        rng = self.rng
        size = rng.choices(list(HOUSEHOLD_SIZES), list(HOUSEHOLD_SIZES.values()))[0]
        street = self.street(street_code)
        community = self.community(street)
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        head = self.person(street_code=street, community=community, gender=gender,
                           age=rng.randint(22, min(60, max_working_age(gender))) if size > 1 else None)
        members = [(HouseholdRelation.HEAD, head)]
        head_age = head.age_on(self.today)
        surname = head.name[0]
        if size >= 2 and rng.random() < 0.85:
            gender = Gender.FEMALE if head.gender is Gender.MALE else Gender.MALE
            age = max(22, min(max_working_age(gender), head_age + rng.randint(-5, 4)))
            members.append((HouseholdRelation.SPOUSE, self.person(street_code=street, community=community,
                                                                  gender=gender, age=age)))
        while len(members) < size:
            # (relation, age, weight): children are the commonest further member, then parents
            fits: list[tuple[HouseholdRelation, int, int]] = []
            if head_age - 20 >= 16:
                fits.append((HouseholdRelation.SON, rng.randint(16, min(head_age - 20, 32)), 4))
            if head_age + 20 <= RETIREMENT_AGE_MAX - 1:
                fits.append((HouseholdRelation.PARENT, rng.randint(head_age + 20, RETIREMENT_AGE_MAX), 2))
            fits.append((HouseholdRelation.SIBLING, max(18, min(58, head_age + rng.randint(-6, 6))), 1))
            relation, age, _ = rng.choices(fits, [w for *_, w in fits])[0]
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            if relation is HouseholdRelation.SON:
                relation = HouseholdRelation.SON if gender is Gender.MALE else HouseholdRelation.DAUGHTER
            if relation is HouseholdRelation.PARENT and age > max_working_age(gender):
                gender = Gender.MALE  # a mother past working age could not be registered; her husband can
            child = relation in (HouseholdRelation.SON, HouseholdRelation.DAUGHTER)
            members.append((relation, self.person(street_code=street, community=community, gender=gender, age=age,
                                                  surname=surname if child else None, graduate=False)))
        return members
