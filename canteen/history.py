"""The change history (ChangeRecord), written from a validated form by the admin and staff pages."""

from canteen.models import ChangeRecord


def _plain(value):
    """A JSON-friendly copy of a form value (model instances and querysets as text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "__iter__") and not isinstance(value, dict):
        return [str(v) for v in value]
    return str(value)


def record_form_change(obj, form, *, user, added: bool) -> ChangeRecord:
    """Record who changed which fields of `obj` from what to what (call after saving)."""
    changes = {
        name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
        for name in form.changed_data
    }
    return ChangeRecord.objects.create(
        model=obj._meta.model_name,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action="add" if added else "change",
        changes=changes,
        changed_by=user,
    )


def record_deletion(obj, *, user) -> ChangeRecord:
    return ChangeRecord.objects.create(
        model=obj._meta.model_name,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action="delete",
        changed_by=user,
    )
