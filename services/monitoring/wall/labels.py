"""Chinese labels the wall shows for codes stored in ClickHouse (Grafana value mappings).

街镇 names come from the reference data; event types have no Chinese name in ``schemas`` yet, so
the wall keeps them here (``test_wall`` checks every registered event type has one).
"""

from __future__ import annotations

from schemas.reference import DISTRICT_CODE, INDUSTRY_SECTIONS, STREETS
from schemas.vocab import AlertLevel, ScopeKind

EVENT_TYPE_LABELS: dict[str, str] = {
    "cn.xiqing.leye.jobseeker.registered.v1": "求职登记",
    "cn.xiqing.leye.unemployment.registered.v1": "失业登记",
    "cn.xiqing.leye.employment.registered.v1": "就业登记",
    "cn.xiqing.leye.followup.recorded.v1": "跟踪回访",
    "cn.xiqing.leye.hardship.certified.v1": "就业困难人员认定",
    "cn.xiqing.leye.registration.closed.v1": "登记注销",
    "cn.xiqing.leye.employer.registered.v1": "用人单位登记",
    "cn.xiqing.leye.vacancy.posted.v1": "岗位发布",
    "cn.xiqing.leye.vacancy.updated.v1": "岗位更新",
    "cn.xiqing.leye.vacancy.filled.v1": "岗位招满",
    "cn.xiqing.leye.vacancy.closed.v1": "岗位下架",
    "cn.xiqing.leye.vacancy.flagged.v1": "岗位违规拦截",
    "cn.xiqing.leye.recruitment.session_scheduled.v1": "招聘活动排期",
    "cn.xiqing.leye.recruitment.session_started.v1": "招聘活动开始",
    "cn.xiqing.leye.recruitment.session_ended.v1": "招聘活动结束",
    "cn.xiqing.leye.recruitment.viewers_sampled.v1": "直播带岗在线人数",
    "cn.xiqing.leye.recruitment.application_received.v1": "直播带岗求职投递",
    "cn.xiqing.leye.recruitment.application_decided.v1": "直播带岗投递结果",
    "cn.xiqing.leye.layoff.reported.v1": "裁员报告",
    "cn.xiqing.leye.headcount.reported.v1": "用工监测月报",
    "cn.xiqing.leye.case.dispatched.v1": "红娘派单",
    "cn.xiqing.leye.case.contacted.v1": "红娘联系",
    "cn.xiqing.leye.referral.made.v1": "人岗推介",
    "cn.xiqing.leye.referral.outcome.v1": "推介结果",
    "cn.xiqing.leye.case.sla_breached.v1": "红娘工单超时",
    "cn.xiqing.leye.case.closed.v1": "红娘工单办结",
    "cn.xiqing.leye.alert.raised.v1": "预警发布",
    "cn.xiqing.leye.alert.updated.v1": "预警升级/更新",
    "cn.xiqing.leye.alert.acknowledged.v1": "预警已确认",
    "cn.xiqing.leye.alert.resolved.v1": "预警解除",
    "cn.xiqing.leye.survey_rate.reported.v1": "调查失业率发布",
    "cn.xiqing.leye.programme.course_opened.v1": "培训班开班",
    "cn.xiqing.leye.programme.enrolled.v1": "培训报名",
    "cn.xiqing.leye.programme.completed.v1": "培训结业",
    "cn.xiqing.leye.programme.loan_issued.v1": "创业担保贷款发放",
    "cn.xiqing.leye.programme.granted.v1": "补贴发放决定",
    "cn.xiqing.leye.programme.paid.v1": "补贴支付",
    "cn.xiqing.leye.programme.placement_started.v1": "见习/实习/公益性岗位上岗",
    "cn.xiqing.leye.programme.placement_ended.v1": "见习/实习/公益性岗位结束",
    "cn.xiqing.leye.programme.eligible.v1": "政策找人：符合条件",
    "cn.xiqing.leye.programme.refused.v1": "不予享受",
    "cn.xiqing.leye.programme.certificate_issued.v1": "职业技能证书颁发",
    "cn.xiqing.leye.programme.incubator_recognised.v1": "创业孵化基地认定",
    "cn.xiqing.leye.programme.incubatee_entered.v1": "企业入驻孵化基地",
    "cn.xiqing.leye.programme.incubatee_jobs_reported.v1": "孵化企业带动就业报告",
    "cn.xiqing.leye.programme.incubatee_left.v1": "企业迁出孵化基地",
    "cn.xiqing.leye.household.zero_employment_identified.v1": "零就业家庭认定",
    "cn.xiqing.leye.household.zero_employment_cleared.v1": "零就业家庭清零",
    "cn.xiqing.leye.enterprise.key_registered.v1": "重点企业登记/更换专员",
    "cn.xiqing.leye.enterprise.issue_opened.v1": "重点企业问题挂账",
    "cn.xiqing.leye.enterprise.issue_closed.v1": "重点企业问题销号",
    "cn.xiqing.leye.enterprise.shortage_reported.v1": "重点企业缺工报告",
    "cn.xiqing.leye.enterprise.shortage_closed.v1": "重点企业缺工关闭",
    "cn.xiqing.leye.enterprise.monitoring_enrolled.v1": "失业动态监测建档",
    "cn.xiqing.leye.community.certified.v1": "充分就业社区认定",
    "cn.xiqing.leye.deadletter.recorded.v1": "无法处理的消息",
}

SIGNAL_LABELS: dict[str, str] = {
    "mass_layoff": "规模裁员",
    "job_loss_rate": "岗位流失率",
    "headcount_report_overdue": "监测企业月报逾期",
    "registration_surge": "失业登记激增",
    "vacancy_ratio": "求人倍率偏低",
    "survey_rate": "调查失业率偏高",
    "sla_breach": "红娘超时",
    "long_term_unemployment": "长期失业上升",
    "enterprise_issue_overdue": "重点企业问题逾期未销号",
    # 资金监管: the programmes service's rules (services/programmes/supervision.py, RULES)
    "funds_double_exclusive_grant": "资金监管：一次性补贴重复发放",
    "funds_paid_while_employed": "资金监管：补贴所属月份已在单位就业",
    "funds_training_over_cap": "资金监管：培训补贴超过年度上限",
    "funds_granted_without_eligibility": "资金监管：发放时不符合资格条件",
}
"""Chinese names of the warning signals (``services/monitoring/warnings/thresholds.py`` and the Grafana rules)."""


def street_labels() -> dict[str, str]:
    return {street.code: street.name for street in STREETS.values()}


def alert_labels() -> dict[str, str]:
    """Codes in the open-warnings table: levels, scope kinds, signals, 街镇, industries, the district."""
    industries = {section.code: section.name for section in INDUSTRY_SECTIONS.values()}
    return {**AlertLevel.labels(), **ScopeKind.labels(), **SIGNAL_LABELS, **street_labels(), **industries,
            DISTRICT_CODE: "西青区"}
