"""API of the stocktakes part of the assets module."""


def register(router):
    pass
