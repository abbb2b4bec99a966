"""The root of the domain's errors: a refusal a service raises, with a stable code.

How it is used:

* **Services raise** a subclass named for their area (``VendorError``, ``ReviewError``…),
  with a translated message fit to show the user and, where callers or tests tell one
  refusal from another, a ``code``::

      raise ReviewError(_("This round has already been decided."), code="review_decided")

  A refusal about fields passes a dict, as Django's ``ValidationError`` does
  (``{"pass_mark": [...]}``); the whole error still carries the class's code.
* **Views catch** the subclass (or ``ValidationError``: every domain error is one, so forms
  and handlers written for Django's errors keep working) and put it on the form with
  ``core.forms.add_service_error``, or show ``error.messages``.
* **Tests assert** the class and ``error.code``, not the wording (which is translated)::

      with pytest.raises(ReviewError) as excinfo:
          ...
      assert excinfo.value.code == "review_decided"

``code`` is always set on the error: the code the raise passed, else the class's
``default_code``.
"""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A refusal of the domain: ``message`` (or ``messages``) for the user, ``code`` stable.

    Subclasses set ``default_code``, the code of a raise that passes none.
    """

    default_code = "invalid"

    def __init__(self, message, code: str | None = None, params=None):
        super().__init__(message, code=code or self.default_code, params=params)
        # Django keeps no code on a dict or a list of messages, and takes the wrapped
        # error's (possibly empty) code when given an error: the refusal as a whole has one.
        if getattr(self, "code", None) is None:
            self.code = code or self.default_code

    @classmethod
    def about_fields(cls, errors: dict, fallback: str | None = None) -> "DomainError":
        """A refusal about fields (``{field: message, error or list}``), each message with
        its own code: the whole carries the first coded one's, else ``fallback``, else the
        class's ``default_code`` (a model's own check may give none)."""
        error = cls(errors)
        codes = [item.code for items in error.error_dict.values() for item in items if item.code]
        error.code = codes[0] if codes else (fallback or cls.default_code)
        return error
