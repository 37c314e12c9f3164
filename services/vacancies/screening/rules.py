"""The screener's rule tables: per category, what is flagged (``restrict``), what is lawful phrasing
that hides a match (``allow``), and the Chinese rule and legal basis shown to the employer; then the
numeric age rules and the structured requirement fields. The policy behind them is in the package
docstring (``services/vacancies/screening/__init__.py``); the engine that applies them is ``engine.py``.

All patterns are compiled once at import and run on normalised text (see ``engine._Posting``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

CATEGORIES: tuple[str, ...] = (
    "gender",
    "ethnicity",
    "hukou",
    "identity",
    "disability",
    "religion",
    "marital_childbearing",
    "region",
    "health",
    "age",
)

CATEGORY_LABELS: Mapping[str, str] = {
    "gender": "性别限制",
    "ethnicity": "民族限制",
    "hukou": "户籍限制",
    "identity": "身份限制",
    "disability": "残疾限制",
    "religion": "宗教信仰限制",
    "marital_childbearing": "婚育限制",
    "region": "地域限制",
    "health": "健康状况限制",
    "age": "年龄限制",
}

# Upper age caps below this are flagged (see the package docstring); a cap of exactly 40 is not.
AGE_CAP_FLOOR = 40
# Youngest lawful hiring age (Labour Law art. 15).
MIN_WORKING_AGE = 16
# Reasons fit schemas.events.vacancy.FlagReason.explanation (max 200 characters).
MAX_REASON_CHARS = 200


# --- Shared regular-expression fragments ----------------------------------------------------------
# All patterns run on normalised text: NFKC (，→,  ：→:  （→(  ；→;  全角数字→ASCII), lower case.

# Characters that end a list item or a clause; a "bare" requirement such as "要求:女,20-45岁"
# is a protected attribute standing alone between two of these.
_DELIMS = r"\s,;。:()\[\]【】/|!?、“”\"'"
_BEFORE = rf"(?:^|(?<=[{_DELIMS}]))"
_AFTER = rf"(?=[{_DELIMS}]|$)"
CLAUSE_END = ",;。!?\n"

# Restriction or preference verbs placed before the attribute: 限男性, 仅招女生, 只要汉族,
# 需为基督徒, 同等条件下优先录用男性, 优先考虑本地人.
_PRE = (
    r"(?:仅限|只限|限招|限|仅招|只招|只要|仅要|只收|仅收|只录用|要求|"
    r"必须是|必须为|必须|需为|须为|需|须|应为|最好是|优先(?:录用|考虑|招聘|招收|聘用|选择)?)"
)
# Exclusion verbs placed before the attribute: 不要河南人, 不招农民工, 谢绝女性.
_NEG_PRE = r"(?:不招收|不招|不要|不收|不用|不录用|不接受|不考虑|谢绝|拒绝|拒招|拒收)"
# Preference words after the attribute: 男性优先, 本市户籍优先.
_POST_PREFER = r"(?:者优先|优先|为佳|最佳|更佳)"
# Exclusion words after the attribute: 女士勿扰, 乙肝携带者勿扰, 湖南籍免谈.
_POST_EXCLUDE = (
    r"(?:勿扰|免谈|莫扰|勿投|勿来|一律不要|不要|不招|不收|谢绝|除外|不考虑|不予考虑|不予录用|不录用|"
    r"请绕行|请绕道|止步|暂不招聘|暂不录用|不予招聘|请勿(?:投递|投简历|应聘|打扰|联系))"
)
_POST = rf"(?:{_POST_PREFER}|{_POST_EXCLUDE})"
# Hiring verbs: 招聘女服务员, 招保洁阿姨2名.
_HIRE = r"(?:招聘|招募|招收|诚聘|急聘|急招|聘请|招)"

# A clause that welcomes people or says "either is fine" is inclusive, not restrictive
# (欢迎残疾人士应聘, 女性叉车司机同样欢迎, 宝妈宝爸均可). "只欢迎 / 仅欢迎" stays screened.
_INCLUSIVE_CLAUSE = rf"[^{CLAUSE_END}]*(?<![只仅])(?:欢迎|均可|皆可|都可以|都可|亦可|也可)[^{CLAUSE_END}]*"


def _alt(*patterns: str) -> re.Pattern[str]:
    """Compile alternatives into one pattern (each kept in its own non-capturing group)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass(frozen=True)
class CategoryRule:
    """Patterns and employer-facing text for one category (age has extra numeric logic)."""

    category: str
    rule: str  # what is not allowed, shown first in the reason
    basis: str  # legal basis / how to proceed, shown last
    restrict: re.Pattern[str]
    allow: re.Pattern[str] | None = None


# --- Gender ----------------------------------------------------------------------------------------

# After 男/女: words that make it a product, clientele, speciality or the pair 男女, not the sex of
# the person hired (女装导购, 男士理发, 男科门诊, 女性健康产品, 男女普工, 女职工福利, 男女宿舍).
_NOT_STAFF_SEX = (
    r"(?!女|男|装|鞋|靴|包|袜|款|式|表|科|童|宾|客|厕|浴|更衣|宿舍|寝室|职工|员工|"
    r"性?(?:健康|用品|护理|内衣|服饰|服装|保健|患者|客户|顾客|消费者|专科|疾病|用户)|"
    r"士(?:内衣|服饰|服装|用品|护肤|理发|发型|美容|精品|专区|会所|香水))"
)
_SEX = rf"(?<![男女])[男女]{_NOT_STAFF_SEX}(?:性|士|生|孩|同志)?"
# Job nouns that, directly after 男/女 at the start of an item, make a gendered job title (女服务员).
_JOB_NOUN = (
    r"(?:服务员|服务生|保安|司机|文员|普工|操作工|工人|工|学徒|店员|营业员|收银|主播|助理|秘书|前台|客服|"
    r"销售|业务员|导购|厨师|帮厨|保洁|技工|技师|电工|焊工|搬运|装卸|分拣|快递|骑手|配送|护工|护理员|保姆|"
    r"家政|会计|出纳|老师|教师|幼师|模特|礼仪|迎宾|领班|主管|经理|宿管|仓管|库管|叉车|质检|包装工|跟单|"
    r"讲解员|按摩师|美容师|美甲师|化妆师|管家)"
)
# Colloquial nouns that carry a sex (and usually an age): 阿姨, 小伙子, 大姐, 美女.
_GENDERED_PERSON = (
    r"(?:阿姨|大姐|大妈|大嫂|小姑娘|姑娘|小伙子|小伙|小哥|大叔|大哥|男孩|女孩|美女|帅哥|妹子|小妹)"
)

_GENDER = CategoryRule(
    category="gender",
    rule="招聘信息不得限定性别或规定性别优先",
    basis="依据《就业促进法》第二十七条、《妇女权益保障法》第四十三条。如属国家规定的女职工禁忌从事的劳动范围，请注明依据后申请复核。",
    restrict=_alt(
        # 限男性 / 仅招女生 / 要求女性 / 只要女的: restriction verb + sex.
        rf"{_PRE}(?:是|为)?{_SEX}",
        # 招聘女服务员 / 诚聘男保安 / 招2名女文员: hiring verb (+ count) + sex.
        rf"{_HIRE}(?:\d+|[一二两三四五六七八九十几]+)?(?:名|个|位)?{_SEX}",
        # 男性优先 / 女士勿扰 / 男生为佳 / 女的不要.
        rf"{_SEX}(?:的)?(?:者|人员)?{_POST}",
        # 男士为主 (but not 客户以女性为主, which describes the clientele).
        rf"(?<!以){_SEX}为主",
        # 不要女的 / 谢绝女性 / 不招男生.
        rf"{_NEG_PRE}{_SEX}",
        # A bare item: "要求:女,20-45岁", "性别:男\n", "男18-45岁", "女3名".
        rf"{_BEFORE}{_SEX}(?=[{_DELIMS}]|$|\d)",
        # 性别要求男性 (no colon).
        r"性别(?:要求|限制|限|为)\s*(?:是|为)?[男女](?![女男])",
        # A gendered job title at the start of an item: "女服务员", "男保安".
        rf"{_BEFORE}{_SEX}{_JOB_NOUN}",
        # 只适合男同志 / 此岗位适合女性.
        rf"适合{_SEX}(?=[{_DELIMS}]|$|[从做干担者])",
        # 招保洁阿姨 / 只要小伙子 / 急招大姐.
        rf"{_HIRE}[^{_DELIMS}]{{0,6}}?{_GENDERED_PERSON}",
        rf"{_PRE}{_GENDERED_PERSON}",
        # 宝妈优先 / 只招宝妈: a preference for mothers is a preference by sex.
        rf"(?:宝妈|妈妈|孕妈)(?:们)?{_POST}",
        rf"{_PRE}(?:宝妈|妈妈)",
    ),
    allow=_alt(
        # Explicitly open to both sexes.
        r"男女不限|不限男女|性别不限|不限性别|不分男女|男女均可|男女皆可|男女都可以?|男女老少|性别:?不限",
        r"不限[男女]",
        # Either sex: "男/女".
        r"男\s*/\s*女|女\s*/\s*男",
        # Facts about the workplace, not conditions: 男女同工同酬, 男女宿舍分开.
        r"男女(?:同工同酬|平等|比例|搭配|宿舍|各半|更衣室)",
        # Caps at each sex's statutory retirement age: "男60周岁以下,女55周岁以下".
        r"[男女](?:性|职工)?\s*\d{2}\s*周?岁(?:以下|以内)?\s*[,、;]?\s*[男女](?:性|职工)?\s*\d{2}\s*周?岁(?:以下|以内)?",
        _INCLUSIVE_CLAUSE,
    ),
)

# --- Ethnicity -------------------------------------------------------------------------------------

# Named groups likely to appear in postings. Left out on purpose because they collide with ordinary
# words: 保安族 (保安), 水族 (aquariums), 京族 (北京), 土族 (本土).
_ETHNIC_GROUP = (
    r"(?:汉族|汉人|少数民族|回族|回民|维吾尔族|维族|藏族|蒙古族|蒙族|满族|壮族|苗族|彝族|朝鲜族|哈萨克族|"
    r"土家族|布依族|侗族|瑶族|白族|哈尼族|黎族|傣族|畲族|傈僳族|东乡族|撒拉族|柯尔克孜族|塔吉克族|"
    r"锡伯族|达斡尔族|羌族|纳西族)"
)

_ETHNICITY = CategoryRule(
    category="ethnicity",
    rule="招聘信息不得限定或排斥特定民族",
    basis="依据《就业促进法》第三条、第二十八条，《人力资源市场暂行条例》第二十四条。",
    restrict=_alt(
        # 只招汉族 / 限汉族 / 需为汉族.
        rf"{_PRE}(?:是|为)?{_ETHNIC_GROUP}",
        # 少数民族勿扰 / 汉族优先 / 少数民族人员暂不招聘.
        rf"{_ETHNIC_GROUP}(?:人员|人士|同胞|员工|者|的)?{_POST}",
        # 不招少数民族.
        rf"{_NEG_PRE}{_ETHNIC_GROUP}",
        # Form field "民族:汉族" / "民族要求:汉".
        r"民族(?:要求|限制)?\s*:?\s*(?:须为|需为|为|限)?汉",
        rf"民族(?:要求|限制)?\s*:?\s*(?:须为|需为|为|限)?{_ETHNIC_GROUP}",
        # A bare item: "要求:汉族,男".
        rf"{_BEFORE}汉族{_AFTER}",
    ),
    allow=_alt(
        r"民族不限|不限民族|各民族|不分民族|民族平等",
        # Employment Promotion Law art. 28: employers shall give minorities appropriate care.
        r"少数民族(?:同等条件下)?(?:优先|照顾|可适当照顾)|优先(?:录用|考虑|照顾|招聘)?少数民族",
        rf"(?:汉族|少数民族)[^{CLAUSE_END}]{{0,8}}(?:均可|皆可|都可)",
        # Respecting customs and halal kitchens are not conditions on applicants.
        rf"尊重[^{CLAUSE_END}]{{0,12}}(?:民族|风俗|饮食习惯)",
        r"清真",
        _INCLUSIVE_CLAUSE,
    ),
)

# --- Household registration (hukou) and urban/rural identity -------------------------------------

_PROVINCE = (
    r"(?:北京|天津|河北|山西|内蒙古?|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    r"广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|台湾|香港|澳门|"
    r"东北|西北|西南|华北|华东|华南|华中|潮汕)"
)
# Places that qualify a household registration: 本市户籍, 天津户口, 外地户口, 非本市户籍.
_HUKOU_PLACE = rf"(?:非?(?:本市|本地|本区|本省|当地|天津市?|津|西青区?)|外地|外省|外埠|外市|{_PROVINCE})"

_HUKOU = CategoryRule(
    category="hukou",
    rule="招聘信息不得限定户籍（如本市户口）",
    basis="依据《就业促进法》第三条、第二十六条，不得以户籍地区别对待求职者。",
    restrict=_alt(
        # 天津户口 / 本市户籍(优先) / 外地户口(不要) / 非本市户籍(勿扰) / 具有天津市户籍.
        rf"{_HUKOU_PLACE}(?:市|省|区)?(?:常住)?(?:户口|户籍)(?!本|簿)",
        # 户口所在地须为天津市 / 户籍:天津 / 户口在本市.
        rf"(?:户口|户籍)(?:所在地|地)?(?:要求|限制)?\s*:?\s*(?:须|需|必须|要求|应|限)?(?:为|在|是|属)?\s*{_HUKOU_PLACE}",
        # 非户籍人员勿扰.
        rf"非户籍(?:人员|者)?{_POST_EXCLUDE}",
    ),
    allow=_alt(
        r"不限户籍|户籍不限|户口不限|不限户口|不论户籍|不限户籍地|户籍地不限",
        rf"户籍[^{CLAUSE_END}]{{0,6}}均可",
        # A hukou offered as a benefit: 解决天津户口, 协助办理落户.
        rf"(?:解决|协助|帮助|代办|办理|提供|可办|申请|享受|引进)[^{CLAUSE_END}]{{0,10}}(?:户口|户籍|落户)",
        # Registration as subject matter: 熟悉天津市户籍及非户籍人员参保政策.
        rf"(?:熟悉|了解|掌握|负责)[^{CLAUSE_END}]{{0,16}}(?:户口|户籍)",
        _INCLUSIVE_CLAUSE,
    ),
)

_IDENTITY = CategoryRule(
    category="identity",
    rule="招聘信息不得以城镇、农村户口等身份设置限制",
    basis="依据《就业促进法》第三十一条，不得对农村劳动者进城就业设置歧视性限制。",
    restrict=_alt(
        # 城镇户口 / 非农业户口 / 农村户口勿扰 / 仅限城市户口: the hukou *type*.
        r"(?:城镇|城市|非农业?|农业|农村)(?:常住)?(?:户口|户籍)(?!本|簿)",
        # 农民工勿扰 / 不招农民工 / 外来务工人员免谈.
        rf"(?:农民工|农村人|农村的|外来务工人员|外来工|乡下人)(?:人员|者)?{_POST_EXCLUDE}",
        rf"{_NEG_PRE}(?:农民工|农村人|农村的|外来务工|外来工|乡下人)",
    ),
    allow=_alt(
        r"城乡不限|不限城乡|不论城乡|不分城乡",
        rf"(?:城镇|农村)[^{CLAUSE_END}]{{0,10}}均可",
        _INCLUSIVE_CLAUSE,
    ),
)

# --- Disability ------------------------------------------------------------------------------------

_DISABLED_PERSON = r"(?:残疾人士|残障人士|残疾人|残障人|残疾|残障|肢残|聋哑人?|聋人|哑巴|盲人|瘸子|跛子|智障)"

_DISABILITY = CategoryRule(
    category="disability",
    rule="招聘信息不得排斥残疾人",
    basis="依据《就业促进法》第二十九条、《残疾人保障法》第三十八条。如岗位确有特定身体条件要求，请写明具体的工作能力要求。",
    restrict=_alt(
        # 非残疾人 / 无残疾 / 身体无任何残疾 / 没有残疾.
        r"(?:非|无|没有)(?:任何)?(?:残疾|残障)(?:人士|人|者)?",
        # 残疾人勿扰 / 聋哑人不要.
        rf"{_DISABLED_PERSON}(?:人员|者)?{_POST_EXCLUDE}",
        # 不招残疾人.
        rf"{_NEG_PRE}{_DISABLED_PERSON}",
        # 四肢健全 / 身体健全 / 肢体无残疾 / 身体无缺陷.
        r"(?:四肢|肢体|身体|五官|身心)(?:健全|无残疾|无缺陷|无残缺)",
    ),
    allow=_alt(
        # Welcoming or preferring disabled people is lawful positive action (quota employment).
        r"(?:视力|听力|言语|肢体|智力|精神)?(?:残疾|残障)(?:人士|人)?(?:优先|可|均可|亦可|也可|适用)",
        r"适合(?:残疾|残障|听障|视障|聋|肢残)",
        r"无障碍|残疾人就业保障金|安置残疾人|盲人(?:医疗)?按摩",
        _INCLUSIVE_CLAUSE,
    ),
)

# --- Religion --------------------------------------------------------------------------------------

_BELIEVER = (
    r"(?:宗教信仰|信仰宗教|信教|有信仰|宗教人士|信徒|教徒|基督徒|佛教徒|天主教徒|穆斯林|道教徒|"
    r"信(?:仰)?(?:基督教?|耶稣|天主教?|佛教?|伊斯兰教?|道教|主))"
)
_FAITH = rf"(?:{_BELIEVER}|佛教|基督教|伊斯兰教|天主教|道教)(?!文化|音乐|艺术|建筑|历史|知识|经典|用品|场所)"

_RELIGION = CategoryRule(
    category="religion",
    rule="招聘信息不得以宗教信仰设置条件或优先",
    basis="依据《就业促进法》第三条、《人力资源市场暂行条例》第二十四条。",
    restrict=_alt(
        # 信仰基督教者优先 / 有宗教信仰者勿扰 / 穆斯林免谈.
        rf"(?:有)?{_BELIEVER}(?:者|人员|人士|的)?{_POST}",
        # 无宗教信仰 / 不信教 / 没有信仰.
        r"(?:无|不信|没有)(?:宗教信仰|宗教|信仰|教)",
        # 限佛教徒 / 需为基督徒 / 要求信仰佛教 (but not 要求熟悉佛教文化).
        rf"{_PRE}(?:是|为)?{_FAITH}",
        # 不招信教人员.
        rf"{_NEG_PRE}{_BELIEVER}",
    ),
    allow=_alt(
        r"宗教信仰(?:自由|不限)|不限宗教(?:信仰)?|不论宗教(?:信仰)?",
        rf"尊重[^{CLAUSE_END}]{{0,12}}(?:宗教|信仰)",
        _INCLUSIVE_CLAUSE,
    ),
)

# --- Marital and childbearing status ---------------------------------------------------------------

_MARITAL_STATUS = (
    r"(?:已婚|未婚|单身|离异|离婚|丧偶|已育|未育|已孕|未孕|已生育|未生育|无子女|有子女|有孩子|有小孩|"
    r"生过孩子|宝妈|孕妇|孕期|怀孕|备孕|哺乳期)"
)
_CN_NUMBER = r"(?:\d+|[一二两三四五六七八九十半]+)"

_MARITAL = CategoryRule(
    category="marital_childbearing",
    rule="招聘信息不得以婚姻、生育状况作为录用或优先条件，不得限制生育或进行妊娠检测",
    basis="依据《妇女权益保障法》第四十三条、《就业促进法》第二十七条。",
    restrict=_alt(
        # 已婚已育 and similar compound statuses are conditions wherever they appear.
        r"已婚已育|已婚未育|未婚未育|已婚已孕|已婚未孕|未婚未孕|已婚有(?:孩子|小孩|子女)",
        # 限单身 / 要求已婚 / 只招宝妈.
        rf"{_PRE}(?:是|为)?{_MARITAL_STATUS}",
        # 已婚已育优先 / 孕妇勿扰 / 单身优先 / 宝妈优先.
        rf"{_MARITAL_STATUS}(?:人员|人士|者|女性|女士|的)?{_POST}",
        # A bare item: "未婚,22-30岁".
        rf"{_BEFORE}(?:已婚|未婚|单身|离异|已育|未育){_AFTER}",
        # 入职两年内不得生育 / 三年内不能要孩子.
        rf"{_CN_NUMBER}年(?:之)?内(?:不得|不能|不可|不许|不准|不允许|不要|禁止|暂不|不)"
        r"(?:结婚|生育|怀孕|生孩子|要孩子|生小孩|要小孩|生二胎|生二孩|生三胎|婚育)",
        rf"入职(?:后)?[^{CLAUSE_END}]{{0,6}}(?:不得|不能|不允许|禁止|不可|不准)(?:结婚|生育|怀孕|生孩子|要孩子)",
        # 近三年无生育计划 / 没有结婚打算.
        r"(?:无|没有|暂无)(?:近期)?(?:生育|结婚|婚育|怀孕|备孕|二胎|二孩|三孩|要孩子)(?:计划|打算|需求|意向|安排)",
        # Pregnancy tests in the entry check (art. 43(3)).
        r"(?:妊娠|怀孕)(?:测试|检测|检查|试验)|验孕|孕检(?!假)",
        # Asking about marital / childbearing status (art. 43(2)).
        rf"(?:询问|填写|注明|提供|说明|如实告知)[^{CLAUSE_END}]{{0,4}}(?:婚育|婚姻|生育|婚恋)(?:状况|情况|史)",
        rf"{_BEFORE}婚否",
    ),
    allow=_alt(
        r"婚育不限|不限婚育|婚否不限|婚姻状况不限|不限婚姻|不问婚育",
        rf"(?:已婚|未婚)[^{CLAUSE_END}]{{0,4}}(?:均可|不限|皆可)",
        # Dormitories and family rooms are benefits: 单身宿舍, 已婚可安排夫妻房.
        r"单身(?:宿舍|公寓|楼|房)",
        rf"(?:夫妻|已婚)[^{CLAUSE_END}]{{0,6}}(?:夫妻房|夫妻宿舍|家属房|家属楼|家属院)",
        # Protection of pregnant / nursing employees is a duty, not a condition.
        rf"(?:孕期|哺乳期)[^{CLAUSE_END}]{{0,8}}(?:保护|不安排|待遇|假)",
    ),
)

# --- Region (native place) -------------------------------------------------------------------------

_LOCALITY = r"(?:本地|当地|外地|外省|外来|外乡|本市|本省)"
# "人" followed by these is another word: 天津人社局, 河南人民, 本地人才.
_NATIVE_OF = r"(?:籍(?:人员|人士|员工)?|人(?![民社才力口大事工寿])(?:员|士)?|地区(?:人员|的人|人)?)"

_REGION = CategoryRule(
    category="region",
    rule="招聘信息不得以籍贯、地域限制或排斥求职者",
    basis="依据《就业促进法》第三条、第二十六条。",
    restrict=_alt(
        # 东北人勿扰 / 本地人优先 / 湖南、四川籍免谈 / 新疆、西藏籍及…暂不招聘.
        rf"(?:{_PROVINCE}|{_LOCALITY})(?:省|市|地区)?(?:本地|当地)?{_NATIVE_OF}(?:者)?{_POST_PREFER}",
        rf"(?:{_PROVINCE}|{_LOCALITY})(?:省|市|地区)?(?:本地|当地)?{_NATIVE_OF}(?:者)?[^{CLAUSE_END}]{{0,12}}?{_POST_EXCLUDE}",
        # 不要河南人 / 不招外地人.
        rf"{_NEG_PRE}(?:{_PROVINCE}|{_LOCALITY})(?:省|市|地区)?(?:{_NATIVE_OF}|的)",
        # 限天津本地人 / 只要本地的.
        rf"{_PRE}(?:{_PROVINCE}|{_LOCALITY})(?:省|市|地区)?(?:本地|当地)?(?:{_NATIVE_OF}|的)",
        # 籍贯限华北地区 / 籍贯:天津.
        rf"籍贯(?:要求|限制)?\s*:?\s*(?:须为|需为|为|限)?\s*(?:{_PROVINCE}|{_LOCALITY}|本)",
    ),
    allow=_alt(
        r"籍贯不限|不限籍贯|不限地域|地域不限|不限地区|全国各地",
        _INCLUSIVE_CLAUSE,
    ),
)

# --- Health (pathogen carriers) --------------------------------------------------------------------

_HEPATITIS_HIV = (
    r"(?:乙型病毒性肝炎|乙型肝炎|乙肝病毒|乙肝|hbsag|hbv|澳抗|大三阳|小三阳|丙型肝炎|丙肝|hcv|艾滋病?|hiv)"
)

_HEALTH = CategoryRule(
    category="health",
    rule="招聘信息不得以乙肝等传染病病原携带为由拒绝录用，入职体检不得检查乙肝项目",
    basis="依据《就业促进法》第三十条、人社部发〔2010〕12号。法律法规明确禁止从事的特定工作除外。",
    restrict=_alt(
        # 乙肝携带者勿扰 / 大三阳、小三阳者不予录用 / HIV阳性者勿扰.
        rf"{_HEPATITIS_HIV}(?:病毒|病原)?(?:携带者?|阳性|患者|感染者|病人)?(?:者|人员)?"
        rf"[^{CLAUSE_END}]{{0,8}}?{_POST_EXCLUDE}",
        # 无乙肝 / 非乙肝携带者.
        rf"(?:无|非|没有){_HEPATITIS_HIV}",
        # 不招收乙肝病毒携带者 / 拒绝乙肝.
        rf"{_NEG_PRE}{_HEPATITIS_HIV}",
        # 乙肝五项 / 乙肝两对半 / 乙肝阴性 in entry checks.
        rf"{_HEPATITIS_HIV}(?:病毒)?(?:五项|两对半|表面抗原|血清学|检测|检查|筛查|阴性)",
        # 要求乙肝阴性.
        rf"{_PRE}[^{CLAUSE_END}]{{0,4}}?{_HEPATITIS_HIV}",
        # 病原携带者勿扰 without naming the disease.
        rf"(?:病原|病毒)携带者?(?:者|人员)?{_POST_EXCLUDE}",
    ),
    allow=_alt(
        rf"不(?:查|检查|检测|筛查|做)[^{CLAUSE_END}]{{0,4}}{_HEPATITIS_HIV}",
        rf"{_HEPATITIS_HIV}[^{CLAUSE_END}]{{0,6}}(?:均可|可以|亦可|也可|不影响|欢迎|不限|无影响)",
        # Products, services and medical work: 乙肝、丙肝检测试剂, 乙肝疫苗, 艾滋病防治宣传.
        rf"(?:{_HEPATITIS_HIV}[、/和及与]?)+(?:检测|诊断)?"
        r"(?:疫苗|试剂|防治|防控|宣传|治疗|药物|药品|科普|关爱|门诊|专科|病房|患者的?(?:护理|治疗|随访))",
        _INCLUSIVE_CLAUSE,
    ),
)

TEXT_RULES: tuple[CategoryRule, ...] = (
    _GENDER,
    _ETHNICITY,
    _HUKOU,
    _IDENTITY,
    _DISABILITY,
    _RELIGION,
    _MARITAL,
    _REGION,
    _HEALTH,
)

# --- Age -------------------------------------------------------------------------------------------

AGE_CAP_RULE = "招聘信息不应设置低于40周岁的年龄上限，或以“XX后”“年轻人优先”等方式限定年龄"
AGE_CAP_BASIS = (
    "国家要求防止和纠正年龄就业歧视；法定退休年龄以内、40周岁及以上的上限"
    "和就业见习岗位的政策年龄条件不在此列。"
)
CHILD_LABOUR_RULE = "不得招用未满16周岁的未成年人"
CHILD_LABOUR_BASIS = "依据《劳动法》第十五条。"

_DASH = r"(?:-|~|—|–|至|到)"
AGE_RANGES = (
    # 18-35岁 / 25岁至35岁 / 18~30周岁.
    re.compile(rf"(?<!\d)(\d{{1,2}})\s*(?:周岁|岁)?\s*{_DASH}\s*(\d{{1,2}})\s*(?:周岁|岁)"),
    # 年龄18-35 / 年龄:20到40 (no 岁).
    re.compile(rf"年龄(?:要求|范围|限制|段)?\s*(?:在|为|限)?\s*:?\s*(\d{{1,2}})\s*{_DASH}\s*(\d{{1,2}})(?!\d)"),
)
AGE_CAPS = (
    # 35周岁以下 / 30岁以内.
    re.compile(r"(?<!\d)(\d{1,2})\s*(?:周岁|岁)\s*(?:以下|以内|之内|及以下|或以下|内)"),
    # 不超过32岁 / 小于35岁 / ≤35岁. (未满 / 不满 are left out: "未满18周岁者不予录用" is a floor.)
    re.compile(r"(?:不超过|不超|不大于|不高于|小于|低于|≤|<|上限)\s*(\d{1,2})\s*(?:周岁|岁)"),
    # 年龄35以下 / 年龄上限:35.
    re.compile(r"年龄(?:要求|上限)?\s*:?\s*(?:在)?\s*(\d{1,2})\s*(?:周岁|岁)?\s*(?:以下|以内)"),
    re.compile(r"年龄上限\s*:?\s*(\d{1,2})"),
    # 35岁以上勿扰: the exclusion makes 35 a cap.
    re.compile(rf"(?<!\d)(\d{{1,2}})\s*(?:周岁|岁)\s*以上(?:者|的|人员)?{_POST_EXCLUDE}"),
)
# Lower bounds, checked against MIN_WORKING_AGE: 15周岁以上均可 / 年满14岁.
AGE_FLOORS = (
    re.compile(r"(?<!\d)(\d{1,2})\s*(?:周岁|岁)\s*(?:以上|及以上|或以上)(?!者?(?:勿扰|免谈|不要))"),
    re.compile(r"(?:年满|已满|满)\s*(\d{1,2})\s*(?:周岁|岁)"),
)
# Age limits without numbers: 限95后, 只招00后, 90后优先, 年轻人优先, 大龄勿扰.
AGE_WORDS = _alt(
    rf"{_PRE}\s*\d{{2}}后",
    rf"\d{{2}}后(?:的)?{_POST}",
    rf"年轻(?:人|的|者|女性|男性)?{_POST_PREFER}|{_PRE}年轻",
    rf"(?:大龄|年纪大|年龄大)(?:的|者|人员)?{_POST_EXCLUDE}",
)
# The ages belong to someone other than the applicant: 0-3岁婴幼儿, 6-12岁小学生, 60岁以上老人.
OTHERS_AGE = re.compile(
    r"\s*(?:的)?(?:儿童|幼儿|婴幼儿|婴儿|宝宝|孩子|小孩|学生|小学生|中学生|青少年|小朋友|学员|老人|长者|患儿|学龄|新生儿|失能|失智)"
)
# A 就业见习 traineeship (not merely a 见习期 probation in a regular post).
TRAINEESHIP = re.compile(r"就业见习|见习(?:岗位?|生|人员|基地|单位|补贴)")
TRAINEESHIP_KINDS = frozenset({"traineeship", "见习", "见习岗位", "就业见习"})
AGE_ALLOW = re.compile(r"法定退休年龄|退休年龄")

# --- Structured requirements -----------------------------------------------------------------------

# Field names (normalised: lower case, suffixes like _required / 要求 stripped) -> category.
REQUIREMENT_KEYS: Mapping[str, str] = {
    "gender": "gender",
    "sex": "gender",
    "性别": "gender",
    "ethnicity": "ethnicity",
    "ethnic_group": "ethnicity",
    "民族": "ethnicity",
    "hukou": "hukou",
    "household_registration": "hukou",
    "户籍": "hukou",
    "户口": "hukou",
    "户籍地": "hukou",
    "户口所在地": "hukou",
    "identity": "identity",
    "身份": "identity",
    "户口性质": "identity",
    "户籍性质": "identity",
    "disability": "disability",
    "残疾": "disability",
    "religion": "religion",
    "faith": "religion",
    "宗教": "religion",
    "宗教信仰": "religion",
    "信仰": "religion",
    "marital": "marital_childbearing",
    "marital_status": "marital_childbearing",
    "marriage": "marital_childbearing",
    "childbearing": "marital_childbearing",
    "婚姻": "marital_childbearing",
    "婚姻状况": "marital_childbearing",
    "婚育": "marital_childbearing",
    "婚育状况": "marital_childbearing",
    "生育": "marital_childbearing",
    "native_place": "region",
    "place_of_origin": "region",
    "origin": "region",
    "籍贯": "region",
    "地域": "region",
    "hepatitis_b": "health",
    "hbv": "health",
    "乙肝": "health",
    "传染病": "health",
}
KEY_SUFFIXES = ("_required", "_requirement", "_restriction", "_limit", "_preference", "要求", "限制")
# A structured value that places no restriction.
NEUTRAL_VALUES = frozenset(
    {"", "-", "无", "any", "all", "none", "no", "n/a", "na", "false", "unlimited", "not required"}
)
NEUTRAL_VALUE = re.compile(r"不限|均可|皆可|都可|无要求|不要求|无限制|不限制|欢迎")
