"""Attachments on pages: the panel on a record's page, upload, removal, and serving files to readers only.

Files have no public address (MEDIA_URL is not served): every download passes ``attachments.readable``,
which asks the permission table about the record the file is attached to.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import attachments
from ..forms_base import StyledFormMixin, add_service_errors
from ..models import Attachment
from .base import org_view, render


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), widget=forms.ClearableFileInput(attrs={"accept": attachments.ACCEPT})
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def panel_context(request, obj, form: AttachmentForm | None = None) -> dict:
    """What ``{% attachments_panel obj %}`` shows: the record's files, and the upload form if allowed."""
    owner = attachments.owner_of(obj)
    can_change = attachments.can_change(request.actor, obj)
    files = list(attachments.for_owner(obj))
    for file in files:  # shown in words; the instances are not saved
        file.note = str(owner.note_labels.get(file.note, file.note))
    return {
        "request": request,
        "org": request.org,
        "files": files,
        "can_change": can_change,
        "form": (form or AttachmentForm()) if can_change else None,
        "upload_url": reverse("core:attachment_upload", args=[request.org.code, owner.key, obj.pk]),
        "panel_id": "attachments-{}-{}".format(owner.key.replace(".", "-"), obj.pk),
        "accept": attachments.ACCEPT,
    }


def _readable_attachment(request, pk) -> Attachment:
    attachment = Attachment.objects.select_related("content_type").filter(pk=pk, voided_at__isnull=True).first()
    if attachment is None or not attachments.readable(request.actor, attachment):
        raise Http404
    return attachment


def _serve(file, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    response = FileResponse(file.open("rb"), content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def file_response(attachment: Attachment) -> FileResponse:
    """The stored file, to a reader already checked: photos shown in the browser, documents downloaded, under
    the name the person gave it. A file never runs as a page of ours (no sniffing, sandboxed)."""
    return _serve(
        attachment.file,
        content_type=attachment.mime_type,
        filename=attachment.download_name,
        inline=attachment.is_image,
    )


@org_view()
def attachment_download(request, pk):
    """The file itself, for readers of its record."""
    return file_response(_readable_attachment(request, pk))


@org_view()
def attachment_thumbnail(request, pk):
    attachment = _readable_attachment(request, pk)
    if not attachment.thumbnail:
        raise Http404
    return _serve(attachment.thumbnail, content_type="image/jpeg", filename="thumbnail.jpg", inline=True)


def _back(request, obj):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(request.META.get("HTTP_REFERER") or reverse("core:home", args=[request.org.code]))


@require_POST
@org_view()
def attachment_upload(request, owner, owner_id):
    """Attach a file to a record the person may change (the record's page posts here, by HTMX or not)."""
    obj = attachments.owner_object(owner, owner_id, request.actor)
    if obj is None:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachments.attachment_create(
                actor=request.actor, owner=obj, upload=form.cleaned_data["file"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if request.htmx:
        context = panel_context(request, obj, form if form.errors else None)
        return render(request, "components/attachments.html", context)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("File attached."))
    return _back(request, obj)


@require_POST
@org_view()
def attachment_void(request, pk):
    """Remove a file from its record (kept, hidden, and recorded); for those who may change the record."""
    attachment = _readable_attachment(request, pk)
    attachments.attachment_void(actor=request.actor, attachment=attachment)
    obj = attachment.owner
    if request.htmx:
        return render(request, "components/attachments.html", panel_context(request, obj))
    messages.success(request, _("File removed."))
    return _back(request, obj)
