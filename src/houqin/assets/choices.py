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
