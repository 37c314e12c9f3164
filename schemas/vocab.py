"""Code lists (vocabularies) used in events, each a ``StrEnum`` whose values are the codes on the wire.

Every member also carries ``label``, the Chinese name screens show; ``labels()`` gives the whole
code -> label mapping (for Grafana value mappings, select boxes, exports). Codes are stable contract:
add members freely, never rename or remove one within an event version.

National standards are used where one exists (gender GB/T 2261.1-2003, education GB/T 4658-2006,
industry GB/T 4754-2017); the other lists are this platform's own and use readable English codes.

Producers building events in Python must pass members (``Gender.MALE``), not bare strings: the event
models are strict. JSON input is parsed from the codes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Self


class Vocabulary(StrEnum):
    """Base of every code list: ``member.value`` is the code, ``member.label`` the Chinese name."""

    _value_: str
    label: str

    if TYPE_CHECKING:
        # Once the class exists, a call looks a member up by its code (Education("20")); this
        # __new__ below only builds the members, from their (code, label) pairs.
        def __new__(cls, value: str) -> Self: ...

    else:

        def __new__(cls, code: str, label: str) -> Self:
            member = str.__new__(cls, code)
            member._value_ = code
            member.label = label
            return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code -> Chinese label for every member, in declaration order."""
        return {member.value: member.label for member in cls}


# --- People ---------------------------------------------------------------------------------------


class Gender(Vocabulary):
    """性别, GB/T 2261.1-2003."""

    UNKNOWN = "0", "未知的性别"
    MALE = "1", "男"
    FEMALE = "2", "女"
    UNSTATED = "9", "未说明的性别"


class Education(Vocabulary):
    """学历, top-level codes of GB/T 4658-2006.

    Codes are not ordered by level (40 中等职业教育 and 60 普通高级中学 are the same level), so compare
    with ``rank`` or ``meets()``, never with the code.
    """

    POSTGRADUATE = "10", "研究生"
    UNDERGRADUATE = "20", "大学本科"
    JUNIOR_COLLEGE = "30", "大学专科"
    VOCATIONAL_SECONDARY = "40", "中等职业教育"
    SENIOR_HIGH = "60", "普通高级中学"
    JUNIOR_HIGH = "70", "初级中学"
    PRIMARY = "80", "小学"
    OTHER = "90", "其他"

    @property
    def rank(self) -> int:
        """Level of education: higher is more; both upper-secondary tracks share one rank."""
        return _EDUCATION_RANK[self]

    def meets(self, required: Education | None) -> bool:
        """Whether this education satisfies a vacancy's requirement (``None`` = no requirement)."""
        return required is None or self.rank >= required.rank


_EDUCATION_RANK: dict[Education, int] = {
    Education.POSTGRADUATE: 6,
    Education.UNDERGRADUATE: 5,
    Education.JUNIOR_COLLEGE: 4,
    Education.VOCATIONAL_SECONDARY: 3,
    Education.SENIOR_HIGH: 3,
    Education.JUNIOR_HIGH: 2,
    Education.PRIMARY: 1,
    Education.OTHER: 0,
}


class KeyGroup(Vocabulary):
    """重点群体 the wall breaks out. A person may belong to several; events carry a snapshot list."""

    RESIDENT = "resident", "常住劳动力"
    MIGRANT = "migrant", "外来劳动力"
    GRADUATE = "graduate", "高校毕业生"
    GRADUATE_UNEMPLOYED = "graduate_unemployed", "离校未就业高校毕业生"
    REGISTERED_UNEMPLOYED = "registered_unemployed", "登记失业人员"
    RURAL_SURPLUS = "rural_surplus", "农村富余劳动力"
    HARDSHIP = "hardship", "就业困难人员"
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family", "零就业家庭成员"
    DISABLED = "disabled", "残疾人"
    AGE_4050 = "age_4050", "“4050”人员"
    VETERAN = "veteran", "退役军人"


class HardshipCategory(Vocabulary):
    """Grounds on which a person is certified 就业困难人员 (codes match the ``KeyGroup`` codes)."""

    AGE_4050 = "age_4050", "“4050”人员"
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family", "零就业家庭成员"
    DISABLED = "disabled", "残疾人"
    OTHER = "other", "其他"


class RegistrationPlace(Vocabulary):
    """Where an unemployment registration was made: any of the four is allowed (seed 002)."""

    RESIDENCE = "residence", "常住地"
    HOUSEHOLD = "household", "户籍地"
    INSURANCE = "insurance", "参保地"
    WORK = "work", "就业地"


class UnemploymentReason(Vocabulary):
    """Why the person became unemployed, as recorded at unemployment registration."""

    GRADUATED = "graduated", "毕业未就业"
    CONTRACT_ENDED = "contract_ended", "劳动合同期满终止"
    DISMISSED = "dismissed", "用人单位解除劳动合同"
    RESIGNED = "resigned", "本人辞职"
    EMPLOYER_CLOSED = "employer_closed", "用人单位关闭破产"
    BUSINESS_CLOSED = "business_closed", "个体经营停业"
    OTHER = "other", "其他"


class EmploymentForm(Vocabulary):
    """Form of employment recorded at employment registration (all count as 城镇新增就业)."""

    EMPLOYED = "employed", "单位就业"
    PUBLIC_WELFARE = "public_welfare", "公益性岗位安置"
    SELF_EMPLOYED = "self_employed", "自主创业"
    FLEXIBLE = "flexible", "灵活就业"


class ContactChannel(Vocabulary):
    """How a follow-up or a 红娘 contact happened."""

    PHONE = "phone", "电话"
    VISIT = "visit", "上门走访"
    ONLINE = "online", "网络"
    OTHER = "other", "其他"


class FollowupOutcome(Vocabulary):
    """Result of the monthly follow-up of a registered unemployed person (每月至少1次跟踪调查)."""

    STILL_UNEMPLOYED = "still_unemployed", "仍处于失业状态"
    EMPLOYED = "employed", "已实现就业"
    IN_TRAINING = "in_training", "参加培训"
    NOT_SEEKING = "not_seeking", "暂无就业意愿"
    UNREACHABLE = "unreachable", "无法联系"


class RegistrationKind(Vocabulary):
    """Which registration a ``registration.closed`` event ends."""

    JOBSEEKER = "jobseeker", "求职登记"
    UNEMPLOYMENT = "unemployment", "失业登记"


class ClosureReason(Vocabulary):
    """Why a registration was closed (注销)."""

    EMPLOYED = "employed", "已就业"
    RETIRED = "retired", "达到法定退休年龄或领取养老金"
    ENLISTED = "enlisted", "应征入伍"
    STUDYING = "studying", "升学"
    MOVED_AWAY = "moved_away", "迁出本区"
    WITHDRAWN = "withdrawn", "本人申请注销"
    DECEASED = "deceased", "死亡"
    OTHER = "other", "其他"


# --- Employers and vacancies ----------------------------------------------------------------------


class IndustrySection(Vocabulary):
    """GB/T 4754-2017 门类; the labels equal ``schemas/reference/gbt4754_2017.json`` (a test checks)."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741 - the standard's letter
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741 - the standard's letter
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class VacancyKind(Vocabulary):
    """Kind of post; traineeship and public-welfare posts have yearly targets (§8, §9)."""

    REGULAR = "regular", "普通岗位"
    TRAINEESHIP = "traineeship", "见习岗位"
    PUBLIC_WELFARE = "public_welfare", "公益性岗位"
    FLEXIBLE = "flexible", "灵活用工"


class VacancyCloseReason(Vocabulary):
    """Why a vacancy left the open stock."""

    FILLED = "filled", "已招满"
    WITHDRAWN = "withdrawn", "用人单位撤回"
    EXPIRED = "expired", "已过有效期"


class FlagCategory(Vocabulary):
    """Grounds on which a posting is withheld: a discriminatory restriction (seed 002, national plan)
    or a posting that is not genuine. The restriction codes are those of the vacancies service's
    screener (``services/vacancies/screening/rules.py`` ``CATEGORIES``)."""

    GENDER = "gender", "性别限制"
    ETHNICITY = "ethnicity", "民族限制"
    HUKOU = "hukou", "户籍限制"
    IDENTITY = "identity", "身份限制"
    DISABILITY = "disability", "残疾限制"
    RELIGION = "religion", "宗教信仰限制"
    MARITAL_CHILDBEARING = "marital_childbearing", "婚育限制"
    REGION = "region", "地域限制"
    HEALTH = "health", "健康状况限制"
    AGE = "age", "年龄限制"
    NOT_GENUINE = "not_genuine", "信息不真实"
    OTHER = "other", "其他"


class SessionKind(Vocabulary):
    """Kind of recruitment session (§13, §15)."""

    ONSITE = "onsite", "招聘会"
    LIVESTREAM = "livestream", "直播带岗"


class SessionSource(Vocabulary):
    """Where an ended session's totals come from: counted from what was recorded while it ran
    (viewer samples and applications), or typed in at its end (a session run elsewhere)."""

    LIVE = "live", "实时记录"
    REPORTED = "reported", "结束后填报"


class ApplicationOutcome(Vocabulary):
    """The employer's answer to an application made during a 直播带岗 session."""

    HIRED = "hired", "已录用"
    NOT_HIRED = "not_hired", "未录用"


# --- Layoffs and monitored enterprises ------------------------------------------------------------


class LayoffReason(Vocabulary):
    """Legal ground of a mass layoff, Labour Contract Law art. 41 items (一)–(四)."""

    RESTRUCTURING = "restructuring", "依照企业破产法规定进行重整"
    SERIOUS_DIFFICULTY = "serious_difficulty", "生产经营发生严重困难"
    BUSINESS_CHANGE = "business_change", "企业转产、重大技术革新或者经营方式调整"
    CIRCUMSTANCES_CHANGED = "circumstances_changed", "客观经济情况发生重大变化"
    OTHER = "other", "其他"


class DecreaseType(Vocabulary):
    """减员类型 in a monitored enterprise's monthly headcount report (失业动态监测)."""

    CLOSURE_BANKRUPTCY = "closure_bankruptcy", "关闭破产"
    SUSPENSION = "suspension", "停业整顿"
    LAYOFF = "layoff", "经济性裁员"
    CONTRACT_END = "contract_end", "合同到期"
    RESIGNATION = "resignation", "辞职"
    OTHER = "other", "其他"


class EnterpriseIssueKind(Vocabulary):
    """The kind of a problem on a key enterprise's ledger (一企一台账, 挂账销号; action plan §2)."""

    LABOUR_DEMAND = "labour_demand", "用工需求"
    SHORTAGE = "shortage", "缺工"
    POLICY = "policy", "政策诉求"
    OTHER = "other", "其他"


# --- Matching and 就业红娘 ---------------------------------------------------------------------------


class CaseOrigin(Vocabulary):
    """Who raised a 红娘 case (呼叫—指派)."""

    PERSON = "person", "求职者"
    EMPLOYER = "employer", "用人单位"
    SYSTEM = "system", "系统推荐"
    LAYOFF = "layoff", "裁员提前介入"
    POLICY = "policy", "政策找人"
    HOUSEHOLD = "household", "零就业家庭一户一策"


class ReferralDirection(Vocabulary):
    """Direction of a two-way referral (人岗双向推介)."""

    PERSON_TO_JOB = "person_to_job", "人找岗"
    JOB_TO_PERSON = "job_to_person", "岗找人"


class ReferralResult(Vocabulary):
    """Outcome of one referral."""

    INTERVIEWED = "interviewed", "已面试"
    HIRED = "hired", "已录用"
    REJECTED = "rejected", "未录用"
    NO_SHOW = "no_show", "未到场"


class SlaKind(Vocabulary):
    """The two 红娘 service-level promises."""

    CONTACT = "contact", "当天主动联系"
    REFERRAL = "referral", "3日内人岗双向推介"


class CaseCloseReason(Vocabulary):
    """Why a 红娘 case was closed."""

    RESOLVED = "resolved", "需求已解决"
    DECLINED = "declined", "服务对象放弃"
    UNREACHABLE = "unreachable", "无法联系"
    DUPLICATE = "duplicate", "重复工单"
    TRANSFERRED = "transferred", "转交其他站点"
    OTHER = "other", "其他"


class RefusalReason(Vocabulary):
    """Why a programme was not granted to a person found eligible (政策找人), or who applied."""

    DECLINED = "declined", "本人放弃"
    NOT_ELIGIBLE = "not_eligible", "经审核不符合条件"
    UNREACHABLE = "unreachable", "无法联系"
    OTHER = "other", "其他"


class IncubatorLevel(Vocabulary):
    """The level at which a 创业孵化基地 is recognised (认定), lowest first: a base may be recognised
    again at a higher level, never at the same or a lower one (docs/PROGRAMMES.md, "创业孵化基地")."""

    DISTRICT = "district", "区级"
    MUNICIPAL = "municipal", "市级"
    NATIONAL = "national", "国家级"

    @property
    def rank(self) -> int:
        """1 for 区级, 2 for 市级, 3 for 国家级."""
        return _INCUBATOR_RANK[self]


_INCUBATOR_RANK: dict[IncubatorLevel, int] = {IncubatorLevel.DISTRICT: 1, IncubatorLevel.MUNICIPAL: 2,
                                              IncubatorLevel.NATIONAL: 3}


# --- Early warning --------------------------------------------------------------------------------


class AlertLevel(Vocabulary):
    """规模性失业风险预警 level. Compare by ``severity`` (red is highest), never by the code string."""

    YELLOW = "yellow", "三级（黄色）"
    ORANGE = "orange", "二级（橙色）"
    RED = "red", "一级（红色）"

    @property
    def severity(self) -> int:
        """1 for yellow, 2 for orange, 3 for red."""
        return _ALERT_SEVERITY[self]


_ALERT_SEVERITY: dict[AlertLevel, int] = {AlertLevel.YELLOW: 1, AlertLevel.ORANGE: 2, AlertLevel.RED: 3}


class ScopeKind(Vocabulary):
    """What an alert is about: the whole district, one 街镇, or one industry."""

    DISTRICT = "district", "全区"
    STREET = "street", "街镇"
    INDUSTRY = "industry", "行业"


class AlertSource(Vocabulary):
    """Who raised an alert: the monitoring service's own rules, a Grafana rule via the gateway, the
    programmes service's 资金监管 (fund supervision) rules, or the vacancies service's check of
    monitored enterprises' monthly reports."""

    MONITOR = "monitor", "监测服务"
    GRAFANA = "grafana", "Grafana告警规则"
    FUNDS = "funds", "资金监管"
    VACANCIES = "vacancies", "岗位服务（失业动态监测月报逾期）"


# --- Households -----------------------------------------------------------------------------------


class HouseholdRelation(Vocabulary):
    """A member's relation to the head of the household (与户主关系). The codes follow the group codes of
    GB/T 4761-2008 家庭关系代码 as we read them (02 户主, 10 配偶, 20 子, 30 女, 40 孙子女, 50 父母,
    60 祖父母, 70 兄弟姐妹), without the finer codes inside a group; 99 stands for any other relation.
    To be checked against the standard's text before an exchange with another system relies on them."""

    HEAD = "02", "户主"
    SPOUSE = "10", "配偶"
    SON = "20", "子"
    DAUGHTER = "30", "女"
    GRANDCHILD = "40", "孙子女"
    PARENT = "50", "父母"
    GRANDPARENT = "60", "祖父母"
    SIBLING = "70", "兄弟姐妹"
    OTHER = "99", "其他"


class ZeroEmploymentClearReason(Vocabulary):
    """Why a household stopped being a 零就业家庭."""

    EMPLOYMENT = "employment", "成员就业"
    NO_MEMBER_SEEKING = "no_member_seeking", "无有劳动能力和就业意愿的成员"
    MEMBERSHIP = "membership", "家庭成员变动"


class CertificationLevel(Vocabulary):
    """The level of a 充分就业社区 certification, lowest first: a level is awarded only after the one
    below it (DOMAIN.md §6)."""

    DISTRICT = "district", "区级"
    MUNICIPAL = "municipal", "市级"
    NATIONAL = "national", "国家级"
