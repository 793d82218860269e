"""Read-only API of the org's settings and dictionaries: what the settings page shows, for other programs."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from .. import dictionaries, orgsettings
from .. import permissions as p
from .base import OrgViewSetMixin


class SettingValueSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable key, e.g. calendar.working_hours")
    label = serializers.CharField()
    section = serializers.CharField()
    value = serializers.JSONField(help_text="The organisation's value (decimals as strings)")
    default = serializers.JSONField(help_text="The registered default")
    is_default = serializers.BooleanField(help_text="True while the organisation has not chosen its own value")


class DictionaryEntrySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stored on records; never changes")
    label = serializers.CharField()
    order = serializers.IntegerField()
    is_active = serializers.BooleanField(help_text="False: kept for old records, no longer offered")


class DictionarySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    customised = serializers.BooleanField(help_text="False while the registered defaults apply")
    entries = DictionaryEntrySerializer(many=True)


class SettingViewSet(OrgViewSetMixin, viewsets.ViewSet):
    """Every registered setting with the organisation's value and the default."""

    view_permission = p.SETTINGS_VIEW

    @extend_schema(summary="Organisation settings", responses=SettingValueSerializer(many=True))
    def list(self, request, *args, **kwargs):
        current = orgsettings.values(self.actor.org)
        rows = [
            {
                "key": setting.key,
                "label": str(setting.label),
                "section": str(setting.section),
                "value": current[setting.key],
                "default": setting.default,
                "is_default": current[setting.key] == setting.default,
            }
            for setting in orgsettings.REGISTRY.values()
        ]
        return Response(SettingValueSerializer(rows, many=True).data)


class DictionaryViewSet(OrgViewSetMixin, viewsets.ViewSet):
    """Every dictionary (数据字典) with the organisation's entries, retired ones included."""

    view_permission = p.SETTINGS_VIEW

    @extend_schema(summary="Dictionaries", responses=DictionarySerializer(many=True))
    def list(self, request, *args, **kwargs):
        org = self.actor.org
        rows = [
            {
                "key": dictionary.key,
                "label": str(dictionary.label),
                "customised": dictionaries.is_customised(org, dictionary.key),
                "entries": [asdict(entry) for entry in dictionaries.entries(org, dictionary.key)],
            }
            for dictionary in dictionaries.REGISTRY.values()
        ]
        return Response(DictionarySerializer(rows, many=True).data)
