"""Actions of the maintenance module and who may take them, added to the one permission table.

Jobs: staff see and confirm what they reported (``own``); technicians the jobs they are assigned to
(``assigned``); a department head the jobs charged to their department; the logistics office all.
"""

from houqin.core.choices import Role
from houqin.core.permissions import ASSIGNED, DEPARTMENT, DESCENDANTS, ORG, OWN, TABLE

JOB_VIEW = "maintenance.job.view"
JOB_REPORT = "maintenance.job.report"  # 报修
JOB_CANCEL = "maintenance.job.cancel"  # 撤销 (the reporter, before work starts) / 取消 (the office)
JOB_DISPATCH = "maintenance.job.dispatch"  # 受理、派单、改派、驳回、挂起、改计费部门
JOB_WORK = "maintenance.job.work"  # 接单、开始、完工
JOB_CONFIRM = "maintenance.job.confirm"  # 验收、评价、返修
STATS_VIEW = "maintenance.stats.view"
INCIDENT_VIEW = "maintenance.incident.view"
INCIDENT_MANAGE = "maintenance.incident.manage"
PATROL_VIEW = "maintenance.patrol.view"
PATROL_WALK = "maintenance.patrol.walk"
PATROL_MANAGE = "maintenance.patrol.manage"
PLAN_VIEW = "maintenance.plan.view"
PLAN_MANAGE = "maintenance.plan.manage"

OFFICE = (Role.LOGISTICS_HEAD, Role.DISPATCHER)

for _role, _actions in TABLE.items():
    if _role == Role.BUREAU:
        for _action in (JOB_VIEW, STATS_VIEW, INCIDENT_VIEW, PATROL_VIEW, PLAN_VIEW):
            _actions[_action] = DESCENDANTS
        continue
    # Everyone in the organisation reports repairs, follows and confirms their own, and may withdraw them.
    _actions.update({JOB_VIEW: OWN, JOB_REPORT: OWN, JOB_CANCEL: OWN, JOB_CONFIRM: OWN})

for _role in (Role.LEADER, Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.DISPATCHER, Role.FINANCE):
    TABLE[_role][JOB_VIEW] = ORG
    TABLE[_role][STATS_VIEW] = ORG
TABLE[Role.TECHNICIAN][JOB_VIEW] = ASSIGNED
TABLE[Role.TECHNICIAN][JOB_WORK] = ASSIGNED
TABLE[Role.DEPT_HEAD][JOB_VIEW] = DEPARTMENT
TABLE[Role.DEPT_HEAD][JOB_CONFIRM] = DEPARTMENT
TABLE[Role.DEPT_HEAD][STATS_VIEW] = DEPARTMENT
for _role in OFFICE:
    # The office dispatches, and records work and acceptance for people who phoned a fault in.
    TABLE[_role].update({JOB_CANCEL: ORG, JOB_DISPATCH: ORG, JOB_WORK: ORG, JOB_CONFIRM: ORG})

for _role in (Role.LEADER, Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.SECURITY):
    TABLE[_role][INCIDENT_VIEW] = ORG
    TABLE[_role][PATROL_VIEW] = ORG
for _role in (Role.LOGISTICS_HEAD, Role.DISPATCHER, Role.TECHNICIAN, Role.SECURITY):
    TABLE[_role][INCIDENT_MANAGE] = ORG  # the night guard records a burst pipe as it happens
    TABLE[_role][PATROL_WALK] = ORG
for _role in (Role.LEADER, Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.DISPATCHER, Role.TECHNICIAN):
    TABLE[_role][PLAN_VIEW] = ORG
for _role in OFFICE:
    TABLE[_role][PATROL_MANAGE] = ORG
    TABLE[_role][PLAN_MANAGE] = ORG
