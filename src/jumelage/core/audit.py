from typing import Any

from django.db import models

from jumelage.core.models import AuditLog


def log_action(*, actor, action: str, obj: models.Model | None = None, **data: Any) -> AuditLog:
    """Record a staff or system action. Call inside the service's transaction so the entry and the
    change it describes are written together or not at all."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        data=data,
    )
