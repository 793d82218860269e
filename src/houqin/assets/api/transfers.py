"""API of the transfers part of the assets module."""


def register(router):
    pass
