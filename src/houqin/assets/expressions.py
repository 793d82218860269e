"""SQL expressions of the ledger that the models and the figures share."""

from django.db.models import Func, IntegerField


class MonthIndex(Func):
    """``depreciation.month_index`` of a date column: year × 12 + month − 1 (immutable on both databases, so it
    may define a stored generated column)."""

    output_field = IntegerField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        template = (
            "(CAST(EXTRACT(YEAR FROM %(expressions)s) AS INTEGER) * 12"
            " + CAST(EXTRACT(MONTH FROM %(expressions)s) AS INTEGER) - 1)"
        )
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):  # dates are stored as 'YYYY-MM-DD'
        template = (
            "(CAST(substr(%(expressions)s, 1, 4) AS INTEGER) * 12 + CAST(substr(%(expressions)s, 6, 2) AS INTEGER) - 1)"
        )
        return super().as_sql(compiler, connection, template=template, **extra)
