"""Record panels (core/panels.py): a module adds a card to another module's record page without either importing
the other; ``{% record_panels obj %}`` renders the panels registered for the object's model, in order."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from houqin.core import panels
from houqin.core.access import build_actor
from houqin.core.choices import Role
from houqin.core.models import Department, Location
from houqin.core.tenancy import org_scope


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the modules' own registrations are put back afterwards)."""
    monkeypatch.setattr(panels, "PROVIDERS", {})
    return panels.PROVIDERS


def _request(world, role=Role.ORG_ADMIN):
    request = RequestFactory().get("/")
    request.org = world.org_a
    request.actor = build_actor(world.member(role).user, world.org_a)
    request.user = request.actor.user
    return request


def test_panels_of_a_model_render_in_order_and_a_provider_may_show_nothing(world, registry, settings, tmp_path):
    (tmp_path / "panel_body.html").write_text("<p data-body>{{ greeting }} {{ obj.name }} {{ org.code }}</p>")
    engine = dict(settings.TEMPLATES[0], DIRS=[*settings.TEMPLATES[0]["DIRS"], tmp_path])
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]  # assigned, so that Django reloads its engines
    seen = []

    def first(request, obj):
        seen.append((request.actor.user, obj))
        return panels.Panel("甲", "panel_body.html", {"greeting": "你好"}, key="one", link_url="/list/?x=1")

    def nothing(request, obj):
        return None  # nothing for this person

    def second(request, obj):
        return panels.Panel("乙", "panel_body.html", {"greeting": "再见"}, key="two")

    panels.register("core.Location", first)
    panels.register(Location, nothing)
    panels.register(Location)(second)
    panels.register(Location, first)  # twice: still once
    request = _request(world)
    with org_scope(world.org_a):
        html = Template("{% load houqin %}{% record_panels place %}").render(
            Context({"place": world.room_a, "request": request})
        )
        assert panels.panels_for(request, world.dept_a) == []  # another model: no panels
    assert html.index('data-panel="one"') < html.index('data-panel="two"')
    assert "你好 101教室 org-a" in html and "再见 101教室" in html
    assert 'href="/list/?x=1"' in html and html.count('data-testid="record-panel"') == 2
    assert seen == [(request.actor.user, world.room_a)]


def test_no_registered_panel_renders_nothing(world, registry):
    with org_scope(world.org_a):
        html = Template("{% load houqin %}[{% record_panels d %}]").render(
            Context({"d": Department.objects.get(pk=world.dept_a.pk), "request": _request(world)})
        )
    assert html == "[]"


def test_maintenance_registers_the_repairs_panel_for_assets():
    from houqin.maintenance.views.assets import asset_repairs_panel

    assert asset_repairs_panel in panels.PROVIDERS["assets.asset"]
