"""Form helpers shared by the apps' pages."""

from django.core.exceptions import ValidationError


def add_service_error(form, error: ValidationError) -> None:
    """Put a service's refusal (a ``core.errors.DomainError``, or any ``ValidationError``)
    on ``form``: each message on its field when the form has that field, else on top.

    The errors keep their codes and parameters, so ``form.has_error(field, code)`` works.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)
