from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")  # 在用
    IDLE = "idle", _("Idle")  # 闲置
    LENT = "lent", _("Lent out")  # 借出
    REPAIRING = "repairing", _("Under repair")  # 维修中
    PENDING_DISPOSAL = "pending_disposal", _("Awaiting disposal")  # 待报废
    DISPOSED = "disposed", _("Disposed of")  # 已报废
    LOST = "lost", _("Lost")  # 丢失


# An asset in one of these is off the books: it no longer depreciates and no longer counts as held.
GONE = (AssetStatus.DISPOSED, AssetStatus.LOST)
# Set and cleared by a record (a loan, a disposal), never by hand: the status form neither sets nor leaves them.
BY_RECORD = (AssetStatus.LENT, AssetStatus.PENDING_DISPOSAL, AssetStatus.DISPOSED)


class Acquisition(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")  # 购置
    TRANSFER_IN = "transfer_in", _("Transferred in")  # 调入
    DONATION = "donation", _("Donation")  # 捐赠
    SELF_BUILT = "self_built", _("Self-built")  # 自建
    SURPLUS = "surplus", _("Stocktake surplus")  # 盘盈


class DepreciationStart(models.TextChoices):
    """When the monthly charge starts (and stops), an org setting."""

    GOVERNMENT = "government", _("From the month added (government accounting)")  # 当月增加当月计提
    ENTERPRISE = "enterprise", _("From the month after (enterprise accounting)")  # 次月计提


class AssetEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 入账
    IMPORTED = "imported", _("Imported")
    CHANGED = "changed", _("Changed")
    TRANSFERRED = "transferred", _("Transferred")  # 调拨
    LENT = "lent", _("Lent")  # 借出
    RETURNED = "returned", _("Returned")  # 归还
    COUNTED = "counted", _("Counted")  # 盘点
    STATUS = "status", _("Status changed")
    DISPOSED = "disposed", _("Disposed of")  # 报废/处置
    DISPOSAL_REQUESTED = "disposal_requested", _("Disposal requested")  # 申请报废
    STOCKTAKE = "stocktake", _("Stocktake adjustment")  # 盘点调整 (盘盈、盘亏、位置)
    COMPENSATION = "compensation", _("Compensation")  # 赔偿


class TransferState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 审批中
    DONE = "done", _("Transferred")  # 已调拨
    REJECTED = "rejected", _("Rejected")  # 已驳回
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


class LoanState(models.TextChoices):
    OUT = "out", _("Lent out")  # 借出中
    RETURNED = "returned", _("Returned")  # 已归还


class ReturnCondition(models.TextChoices):
    GOOD = "good", _("In good order")  # 完好
    DAMAGED = "damaged", _("Damaged")  # 损坏
    LOST = "lost", _("Lost")  # 丢失


class StocktakeState(models.TextChoices):
    OPEN = "open", _("Counting")  # 盘点中
    CLOSED = "closed", _("Closed")  # 已结束
    CANCELLED = "cancelled", _("Cancelled")  # 已作废


class StocktakeScope(models.TextChoices):
    ORG = "org", _("The whole organisation")  # 全单位
    DEPARTMENT = "department", _("A department")  # 部门
    LOCATION = "location", _("A place and everything in it")  # 位置（含下级）
    CATEGORY = "category", _("A category")  # 资产分类


class CountResult(models.TextChoices):
    PENDING = "pending", _("Not yet counted")  # 未盘
    FOUND = "found", _("Found")  # 盘到（账实相符）
    WRONG_LOCATION = "wrong_location", _("Found elsewhere")  # 位置不符
    MISSING = "missing", _("Missing")  # 盘亏
    SURPLUS = "surplus", _("Surplus")  # 盘盈


class DisposalState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 审批中
    DONE = "done", _("Disposed of")  # 已处置
    REJECTED = "rejected", _("Rejected")  # 已驳回
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


class DisposalMethod(models.TextChoices):
    SCRAP = "scrap", _("Scrapped")  # 报废
    TRANSFER_OUT = "transfer_out", _("Transferred out")  # 调出
    SALE = "sale", _("Sold")  # 出售
    DONATION = "donation", _("Donated")  # 捐赠


class DifferenceKind(models.TextChoices):
    """What finance reconciliation (账账相符) found for one code."""

    NOT_IN_LEDGER = "not_in_ledger", _("In the finance list, not in the ledger")
    NOT_IN_FINANCE = "not_in_finance", _("In the ledger, not in the finance list")
    VALUE = "value", _("Value differs")
    DATE = "date", _("Booking date differs")
