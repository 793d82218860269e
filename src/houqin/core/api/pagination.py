from rest_framework.pagination import CursorPagination


class BoundedCursorPagination(CursorPagination):
    """Keyset pages of at most 200 rows: no COUNT, constant cost on any page of any table.

    A view names its order with ``ordering`` (a unique, rarely changing field such as "pk" or a tree "path").
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "pk"

    def get_ordering(self, request, queryset, view):
        self.ordering = getattr(view, "ordering", None) or self.ordering
        return super().get_ordering(request, queryset, view)
