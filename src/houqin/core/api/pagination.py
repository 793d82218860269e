from rest_framework.pagination import CursorPagination


class BoundedCursorPagination(CursorPagination):
    """Keyset pages of at most 200 rows: no COUNT, constant cost on any page of any table."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "pk"
