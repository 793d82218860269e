"""API of the loans part of the assets module."""


def register(router):
    pass
