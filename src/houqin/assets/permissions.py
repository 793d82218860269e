"""Actions of the assets module and who may take them, added to the one permission table.

"专人使用、专人负责、专人保管": a member of staff sees the assets they keep or use (``own``), a department head
their department's, the asset clerk, the logistics office, leaders and finance the whole ledger; the asset
clerk (and the logistics head) keeps it. A bureau reads what lies below it.
"""

from houqin.core.choices import Role
from houqin.core.permissions import DEPARTMENT, DESCENDANTS, ORG, OWN, TABLE

ASSET_VIEW = "assets.asset.view"
ASSET_MANAGE = "assets.asset.manage"  # 登记、修改、导入、打印标签

for _role, _actions in TABLE.items():
    if _role == Role.BUREAU:
        _actions[ASSET_VIEW] = DESCENDANTS
        continue
    _actions[ASSET_VIEW] = OWN  # what they keep or use

for _role in (Role.LEADER, Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.ASSET_CLERK, Role.FINANCE):
    TABLE[_role][ASSET_VIEW] = ORG
TABLE[Role.DEPT_HEAD][ASSET_VIEW] = DEPARTMENT
for _role in (Role.LOGISTICS_HEAD, Role.ASSET_CLERK):
    TABLE[_role][ASSET_MANAGE] = ORG
