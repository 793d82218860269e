"""API of the disposals part of the assets module."""


def register(router):
    pass
