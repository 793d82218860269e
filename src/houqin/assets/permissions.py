"""Actions of the assets module and who may take them, added to the one permission table.

"专人使用、专人负责、专人保管": a member of staff sees the assets they keep or use (``own``), a department head
their department's, the asset clerk, the logistics office, leaders and finance the whole ledger; the asset
clerk (and the logistics head) keeps it. A bureau reads what lies below it.
"""

from houqin.core.choices import Role
from houqin.core.permissions import DEPARTMENT, DESCENDANTS, ORG, OWN, TABLE

ASSET_VIEW = "assets.asset.view"
ASSET_MANAGE = "assets.asset.manage"  # 登记、修改、导入、打印标签、赔偿
# The page behind a label: any member who scans it sees what it is and what they may do with it (报修、借用、盘点);
# the card itself stays with ASSET_VIEW.
ASSET_SCAN = "assets.asset.scan"
TRANSFER_VIEW = "assets.transfer.view"
TRANSFER_REQUEST = "assets.transfer.request"  # 申请调拨 (the approval engine decides it)
LOAN_VIEW = "assets.loan.view"
LOAN_BORROW = "assets.loan.borrow"  # 借用: for oneself (own), or lent to anyone by the asset clerk (org)
LOAN_MANAGE = "assets.loan.manage"  # 归还验收: the condition check on return
STOCKTAKE_VIEW = "assets.stocktake.view"
STOCKTAKE_COUNT = "assets.stocktake.count"  # 扫码盘点
STOCKTAKE_MANAGE = "assets.stocktake.manage"  # 发起、盘盈登记、结束盘点
DISPOSAL_VIEW = "assets.disposal.view"
DISPOSAL_REQUEST = "assets.disposal.request"  # 申请报废/处置 (the approval engine decides it)
RECONCILE = "assets.reconcile"  # 账账相符: compare the finance department's list with the ledger

KEEPERS = (Role.LOGISTICS_HEAD, Role.ASSET_CLERK)  # who keep the ledger
READERS = (Role.LEADER, Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.ASSET_CLERK, Role.FINANCE)  # the whole ledger

for _role, _actions in TABLE.items():
    if _role == Role.BUREAU:
        for _action in (ASSET_VIEW, ASSET_SCAN, TRANSFER_VIEW, STOCKTAKE_VIEW, DISPOSAL_VIEW):
            _actions[_action] = DESCENDANTS
        continue
    # Everyone sees what they keep or use, borrows for themselves and follows their loans and transfers.
    _actions.update({ASSET_VIEW: OWN, ASSET_SCAN: ORG, LOAN_VIEW: OWN, LOAN_BORROW: OWN, TRANSFER_VIEW: OWN})

for _role in READERS:
    TABLE[_role].update({ASSET_VIEW: ORG, LOAN_VIEW: ORG, TRANSFER_VIEW: ORG, STOCKTAKE_VIEW: ORG, DISPOSAL_VIEW: ORG})
TABLE[Role.DEPT_HEAD].update(
    {ASSET_VIEW: DEPARTMENT, LOAN_VIEW: DEPARTMENT, TRANSFER_VIEW: DEPARTMENT, STOCKTAKE_VIEW: DEPARTMENT}
)
# A department head asks to move their department's assets; the receiving head approves (approval engine).
TABLE[Role.DEPT_HEAD][TRANSFER_REQUEST] = DEPARTMENT
for _role in KEEPERS:
    TABLE[_role].update(
        {
            ASSET_MANAGE: ORG,
            TRANSFER_REQUEST: ORG,
            LOAN_BORROW: ORG,
            LOAN_MANAGE: ORG,
            STOCKTAKE_MANAGE: ORG,
            DISPOSAL_REQUEST: ORG,
        }
    )
# Counting is done by whoever the office sends round, department heads for their department's rooms.
for _role in (*KEEPERS, Role.DEPT_HEAD, Role.STAFF, Role.TECHNICIAN):
    TABLE[_role][STOCKTAKE_COUNT] = ORG
for _role in (*KEEPERS, Role.FINANCE):
    TABLE[_role][RECONCILE] = ORG
